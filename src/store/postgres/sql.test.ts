// Named (prepared) statements: one name per text, stable, and valid as a PostgreSQL identifier.
import { describe, expect, it } from 'vitest';
import { prepared } from './sql.js';

describe('prepared statements', () => {
  it('names a text the same way every time, and two texts differently', () => {
    const a = prepared('SELECT 1 WHERE $1::int > 0');
    expect(prepared('SELECT 1 WHERE $1::int > 0')).toBe(a);
    expect(prepared('SELECT 2 WHERE $1::int > 0').name).not.toBe(a.name);
    expect(a.name).toMatch(/^u[0-9a-f]{20}$/);
    expect(a.text).toBe('SELECT 1 WHERE $1::int > 0');
  });
});
