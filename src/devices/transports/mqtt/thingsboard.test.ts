import { describe, expect, it } from 'vitest';
import { normaliseTelemetry, rpcResponse, telemetryPayloads } from './thingsboard.js';

describe('ThingsBoard payloads', () => {
  it('normalises an object, a timed entry and an array', () => {
    expect(normaliseTelemetry({ a: 1 })).toEqual({ ok: true, entries: [{ a: 1 }] });
    expect(normaliseTelemetry({ ts: 5, values: { a: 1 } }, 'time')).toEqual({
      ok: true,
      entries: [{ a: 1, time: 5 }],
    });
    expect(normaliseTelemetry([{ ts: 1, values: { a: 1 } }, { b: 2 }])).toEqual({
      ok: true,
      entries: [{ a: 1, ts: 1 }, { b: 2 }],
    });
  });

  it('refuses what is not TB telemetry', () => {
    for (const body of [3, 'x', null, [], [1], { ts: 'now', values: {} }, { ts: 1, values: 2 }])
      expect(normaliseTelemetry(body).ok, JSON.stringify(body)).toBe(false);
  });

  it('hands the raw payload on when it is not TB JSON, so the codec counts it', () => {
    expect(telemetryPayloads('{"a":')).toEqual(['{"a":']);
    expect(telemetryPayloads('[{"ts":1,"values":{"a":1}}]')).toEqual(['{"a":1,"ts":1}']);
  });

  it('keeps a value named __proto__ as a value', () => {
    const [p] = telemetryPayloads('{"ts":1,"values":{"__proto__":{"x":1}}}');
    expect(JSON.parse(p as string)).toEqual(JSON.parse('{"__proto__":{"x":1},"ts":1}'));
  });

  it('reads an RPC response: an error member means failure', () => {
    expect(rpcResponse('{"ok":1}')).toEqual({ ok: true, payload: { ok: 1 } });
    expect(rpcResponse('{"error":"no pin"}')).toEqual({ ok: false, payload: { error: 'no pin' } });
    expect(rpcResponse('done')).toEqual({ ok: true, payload: 'done' });
  });
});
