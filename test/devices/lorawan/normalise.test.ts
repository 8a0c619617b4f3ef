// ChirpStack v4 and The Things Stack v3 bodies normalised into one LorawanUplink: fixtures shaped like
// the servers' documented examples, their differences (bandwidth Hz/kHz, frequency as a string, code
// rate formats, DevEUI case), and random junk that must be a 400, never another exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isNgsiError } from '../../../src/core/errors.js';
import { parseChirpstackEvent } from '../../../src/devices/transports/lorawan/chirpstack.js';
import { parseTtsMessage } from '../../../src/devices/transports/lorawan/tts.js';
import { uplinkMessageId } from '../../../src/devices/transports/lorawan/uplink.js';
import { chirpstackUp, ttsUplink } from './network-server-driver.js';

const bytes = Uint8Array.from([0x01, 0x67, 0x00, 0xff]);

describe('ChirpStack v4', () => {
  it('normalises an up event', () => {
    const e = parseChirpstackEvent('up', {
      ...chirpstackUp('0101010101010101', bytes, 10),
      time: '2022-07-18T09:34:15.775023242+00:00',
      object: { temperature: 25.5 },
    });
    expect(e.kind).toBe('up');
    if (e.kind !== 'up') return;
    expect(e.uplink).toEqual({
      networkServer: 'chirpstack',
      devEui: '0101010101010101',
      devAddr: '00189440',
      fPort: 2,
      fCnt: 10,
      payload: bytes,
      decoded: { temperature: 25.5 },
      receivedAt: '2022-07-18T09:34:15.775Z',
      radio: { rssi: -71, snr: 9.25 },
      frequencyHz: 868100000,
      bandwidthHz: 125000,
      spreadingFactor: 7,
      codeRate: '4/5',
    });
    expect(uplinkMessageId(e.uplink)).toBe('lw:00189440:10');
  });

  it('reads protobuf JSON with zeros and empty bytes omitted', () => {
    const { fCnt: _f, data: _d, ...rest } = chirpstackUp('0101010101010101', bytes, 0);
    const e = parseChirpstackEvent('up', rest);
    expect(e).toMatchObject({ kind: 'up', uplink: { fCnt: 0, payload: new Uint8Array(0) } });
  });

  it('reads status, ack and txack; other events are ignored', () => {
    const deviceInfo = { devEui: '0101010101010101' };
    expect(parseChirpstackEvent('status', { deviceInfo, batteryLevel: 75.5, margin: 7 })).toEqual({
      kind: 'status',
      devEui: '0101010101010101',
      battery: 75.5,
    });
    expect(
      parseChirpstackEvent('status', { deviceInfo, batteryLevelUnavailable: true, batteryLevel: 0 }),
    ).toEqual({ kind: 'status', devEui: '0101010101010101' });
    expect(
      parseChirpstackEvent('ack', { deviceInfo, queueItemId: 'q1', acknowledged: true, fCntDown: 3 }),
    ).toEqual({
      kind: 'ack',
      devEui: '0101010101010101',
      queueItemId: 'q1',
      acknowledged: true,
    });
    expect(parseChirpstackEvent('txack', { deviceInfo, queueItemId: 'q1', downlinkId: 9 })).toMatchObject({
      kind: 'txack',
    });
    expect(parseChirpstackEvent('join', { deviceInfo, devAddr: '00189440' })).toEqual({
      kind: 'ignored',
      event: 'join',
    });
    expect(() => parseChirpstackEvent('bogus', {})).toThrow(/event must be one of/);
  });
});

describe('The Things Stack v3', () => {
  it('normalises an uplink message: upper-case DevEUI, frequency as a string, coding rate 4/5', () => {
    const m = parseTtsMessage(ttsUplink('0004a30b001c0530', bytes, 14));
    expect(m.kind).toBe('up');
    if (m.kind !== 'up') return;
    expect(m.uplink).toMatchObject({
      networkServer: 'tts',
      devEui: '0004a30b001c0530',
      devAddr: '260b1a2f',
      fPort: 2,
      fCnt: 14,
      payload: bytes,
      radio: { rssi: -80, snr: 8.5 },
      frequencyHz: 868300000,
      bandwidthHz: 125000,
      spreadingFactor: 7,
      codeRate: '4/5',
      tts: { deviceId: 'eui-0004a30b001c0530', applicationId: 'city-aq' },
    });
  });

  it('reads older payloads: bandwidth in kHz, coding_rate beside data_rate', () => {
    const body = ttsUplink('0004a30b001c0530', bytes, 1);
    body.uplink_message.settings = {
      data_rate: { lora: { bandwidth: 125, spreading_factor: 9 } },
      coding_rate: '4/6',
      frequency: '867100000',
    } as unknown as typeof body.uplink_message.settings;
    const m = parseTtsMessage(body);
    expect(m).toMatchObject({ uplink: { bandwidthHz: 125000, codeRate: '4/6', frequencyHz: 867100000 } });
  });

  it('reads downlink reports with Urbis correlation ids', () => {
    const end_device_ids = { device_id: 'eui-x', dev_eui: '0004A30B001C0530' };
    expect(
      parseTtsMessage({
        end_device_ids,
        downlink_ack: {
          f_port: 10,
          confirmed: true,
          correlation_ids: ['as:downlink:01H', 'urbis:cmd:cmd_1'],
        },
      }),
    ).toEqual({ kind: 'downlink', event: 'ack', devEui: '0004a30b001c0530', commandIds: ['cmd_1'] });
    expect(
      parseTtsMessage({
        end_device_ids,
        downlink_failed: {
          downlink: { correlation_ids: ['urbis:cmd:cmd_2'] },
          error: { namespace: 'pkg/networkserver', name: 'application_downlink_too_long' },
        },
      }),
    ).toMatchObject({ event: 'failed', commandIds: ['cmd_2'], error: /too_long/ });
    expect(parseTtsMessage({ end_device_ids, join_accept: {} })).toEqual({
      kind: 'ignored',
      type: 'join_accept',
    });
  });
});

describe('junk', () => {
  const onlyBadRequest = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (!isNgsiError(e) || e.status !== 400) throw e;
    }
  };

  it('anything at all is read or refused with a 400, never another exception', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.constantFrom('up', 'status', 'ack', 'txack', 'join', 'nope'),
        (body, event) => {
          onlyBadRequest(() => parseChirpstackEvent(event, body));
          onlyBadRequest(() => parseTtsMessage(body));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a real message with any one member replaced by junk is read or a 400', () => {
    const cs = chirpstackUp('0101010101010101', bytes, 1) as Record<string, unknown>;
    const tts = ttsUplink('0101010101010101', bytes, 1);
    const ttsUp = tts.uplink_message as Record<string, unknown>;
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(cs)),
        fc.constantFrom(...Object.keys(ttsUp)),
        fc.anything(),
        (k1, k2, junk) => {
          onlyBadRequest(() => parseChirpstackEvent('up', { ...cs, [k1]: junk }));
          onlyBadRequest(() => parseTtsMessage({ ...tts, uplink_message: { ...ttsUp, [k2]: junk } }));
        },
      ),
      { numRuns: 500 },
    );
  });
});
