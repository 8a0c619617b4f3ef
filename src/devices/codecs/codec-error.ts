/**
 * The one error a codec throws. A device's payload is untrusted input: whatever bytes arrive, a
 * codec either returns decoded fields or throws a CodecError whose `reason` is a short, stable,
 * machine-readable word, so ingest can count refusals by reason, log them and set the device's last
 * error without parsing messages. The message is for people and never echoes the whole payload.
 */

/** Why a payload (or, for 'bad-spec', a profile's codec declaration) was refused. */
export type CodecErrorReason =
  | 'too-large' // over the byte limit
  | 'not-binary' // a text payload given to a binary codec
  | 'not-json' // not UTF-8 JSON
  | 'not-object' // JSON, but not an object at the top
  | 'too-deep' // objects nested deeper than allowed
  | 'too-many-fields' // more decoded fields than allowed
  | 'bad-value' // a value of a kind the codec does not accept (e.g. an array of strings)
  | 'bad-position' // a position outside the globe
  | 'duplicate-field' // two parts of the payload decode to the same field name
  | 'truncated' // the payload ends inside an item
  | 'unknown-type' // a Cayenne LPP type the decoder does not know
  | 'bad-layout' // the payload's length is not the declared layout's
  | 'bad-spec' // the codec declaration itself is invalid
  | 'out-of-range'; // (encoding) a value that does not fit its wire format

export class CodecError extends Error {
  override readonly name = 'CodecError';

  constructor(
    readonly reason: CodecErrorReason,
    message: string,
  ) {
    super(message);
  }
}
