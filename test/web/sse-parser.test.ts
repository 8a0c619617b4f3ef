import { describe, expect, it } from 'vitest';
import { SseParser } from '../../web/src/lib/sse-parser.js';

describe('SseParser', () => {
  it('parses named events with JSON data and ignores comment keep-alives', () => {
    const p = new SseParser();
    const events = p.push(
      ': keep-alive\n\nevent: entity\ndata: {"id":"urn:a","type":"T"}\n\nevent: deleted\ndata: {"id":"urn:b"}\n\n',
    );
    expect(events).toEqual([
      { event: 'entity', data: '{"id":"urn:a","type":"T"}' },
      { event: 'deleted', data: '{"id":"urn:b"}' },
    ]);
  });

  it('assembles events split across chunks anywhere, CRLF included', () => {
    const text = 'event: entity\r\ndata: {"id":"urn:x"}\r\n\r\nevent: entity\r\ndata: {"id":"urn:y"}\r\n\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      const p = new SseParser();
      const got = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
      expect(got.map((e) => e.data)).toEqual(['{"id":"urn:x"}', '{"id":"urn:y"}']);
    }
  });

  it('joins multi-line data with newlines, defaults the event name, keeps the last id and retry', () => {
    const p = new SseParser();
    const [ev] = p.push('id: 7\nretry: 2500\ndata: a\ndata:b\n\n');
    expect(ev).toEqual({ event: 'message', data: 'a\nb', id: '7' });
    expect(p.retry).toBe(2500);
  });

  it('dispatches nothing for an event without data, and resets the name after each event', () => {
    const p = new SseParser();
    expect(p.push('event: entity\n\n')).toEqual([]);
    expect(p.push('data: x\n\n')).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('waits for the blank line before dispatching', () => {
    const p = new SseParser();
    expect(p.push('event: entity\ndata: {}\n')).toEqual([]);
    expect(p.push('\n')).toEqual([{ event: 'entity', data: '{}' }]);
  });
});
