import { describe, expect, it } from 'vitest';
import { reasonOf } from './sender.js';

describe('reasonOf', () => {
  it('gives the code, the message and the cause on one short line', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(reasonOf(refused)).toBe('connect ECONNREFUSED 127.0.0.1:9');
    const wrapped = Object.assign(new Error('fetch failed', { cause: new Error('socket hang up') }), {
      code: 'UND_ERR_SOCKET',
    });
    expect(reasonOf(wrapped)).toBe('UND_ERR_SOCKET: fetch failed (socket hang up)');
    expect(reasonOf('plain\nstring')).toBe('plain string');
    expect(reasonOf(new Error('x'.repeat(500)))).toHaveLength(200);
  });
});
