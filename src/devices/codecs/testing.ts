/** Test helpers for the codecs: the reason of the CodecError a call throws, and hex payloads. */
import { expect } from 'vitest';
import { CodecError } from './codec-error.js';

/** The CodecError reason `fn` fails with (any other outcome fails the test). */
export function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    return (err as CodecError).reason;
  }
  throw new Error('expected a CodecError');
}

/** Bytes from hex text (spaces allowed). */
export const hex = (text: string): Uint8Array =>
  Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
