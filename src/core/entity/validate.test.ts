import { describe, expect, it } from 'vitest';
import { isDateTime, isUri, isValidName, jsonDepthExceeds } from './validate.js';

describe('validators', () => {
  it('measures JSON depth and stops at the limit', () => {
    expect(jsonDepthExceeds(1, 0)).toBe(false);
    expect(jsonDepthExceeds({ a: 1 }, 1)).toBe(false);
    expect(jsonDepthExceeds({ a: [1] }, 1)).toBe(true);
    expect(jsonDepthExceeds({ a: [{ b: 1 }] }, 3)).toBe(false);
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(jsonDepthExceeds(deep, 64)).toBe(true);
  });

  it('knows URIs, names and date-times', () => {
    expect(isUri('urn:ngsi-ld:Thing:1')).toBe(true);
    expect(isUri('no scheme')).toBe(false);
    expect(isValidName('fillingLevel')).toBe(true);
    expect(isValidName('a=b')).toBe(false);
    expect(isDateTime('2026-12-01T10:00:00Z')).toBe(true);
    expect(isDateTime('2026-13-01T10:00:00Z')).toBe(false);
    expect(isDateTime('yesterday')).toBe(false);
  });
});
