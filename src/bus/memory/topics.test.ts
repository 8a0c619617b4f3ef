/** Unit tests of the in-memory bus's topic matching (NATS subject semantics). */
import { describe, expect, it } from 'vitest';
import { matchesPattern } from './topics.js';

describe('matchesPattern', () => {
  it.each([
    ['a.b.c', 'a.b.c', true],
    ['a.b.c', 'a.b', false],
    ['a.b', 'a.b.c', false],
    ['a.*.c', 'a.x.c', true],
    ['a.*.c', 'a.x.y.c', false],
    ['a.*', 'a', false],
    ['*', 'a', true],
    ['*', 'a.b', false],
    ['a.>', 'a.b', true],
    ['a.>', 'a.b.c.d', true],
    ['a.>', 'a', false],
    ['>', 'a.b', true],
    ['*.b.>', 'x.b.y', true],
    ['*.b.>', 'x.c.y', false],
  ])('%s against %s → %s', (pattern, topic, expected) => {
    expect(matchesPattern(pattern, topic)).toBe(expected);
  });
});
