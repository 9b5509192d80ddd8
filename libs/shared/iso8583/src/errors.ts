import { alike, DomainError, errorCatalogue, type ErrorSpec } from '@pos/kernel';

/**
 * Every malformed frame or message is one of these codes, answered as a format error (30) where a
 * reply can be framed. docs/errors.md lists them.
 */
export const Iso8583Errors = errorCatalogue({
  ...alike(
    { responseCode: '30', kind: 'validation' },
    'ISO_FRAME_TRUNCATED',
    'ISO_FRAME_LENGTH_MISMATCH',
    'ISO_FRAME_TOO_LONG',
    'ISO_TPDU_INVALID',
    'ISO_MTI_UNKNOWN',
    'ISO_MESSAGE_TRUNCATED',
    'ISO_MESSAGE_TRAILING_BYTES',
    'ISO_FIELD_UNDEFINED',
    'ISO_FIELD_LENGTH_INVALID',
    'ISO_FIELD_BCD_INVALID',
    'ISO_FIELD_INVALID',
  ),
});
export type Iso8583ErrorCode = keyof typeof Iso8583Errors;

/**
 * The codec's only error: a stable code, the field it concerns (0 the MTI, 1 the bitmap; absent for
 * the frame) and the byte offset in the message or frame where it was found.
 */
export class Iso8583Error extends DomainError {
  override name = 'Iso8583Error';
  constructor(
    code: Iso8583ErrorCode,
    message: string,
    readonly field?: number,
    readonly offset?: number,
  ) {
    super((Iso8583Errors[code] as { spec: ErrorSpec }).spec, message, { ...(field === undefined ? {} : { field }), ...(offset === undefined ? {} : { offset }) });
  }
}

export const isIso8583Error = (e: unknown): e is Iso8583Error => e instanceof Iso8583Error;
