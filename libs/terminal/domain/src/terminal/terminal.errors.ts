import { DomainError, type ErrorCategory } from '@pos/kernel';

const e = (code: string, responseCode: string, category: ErrorCategory) => (message: string, details?: Record<string, unknown>) =>
  new DomainError(code, message, responseCode, category, details);

/** The terminal context's refusals: stable codes, ISO 8583-style response codes. Catalogue in docs/errors.md. */
export const TerminalErrors = {
  terminalUnknown: e('TERMINAL_UNKNOWN', '97', 'not_found'),
  terminalAlreadyRegistered: e('TERMINAL_ALREADY_REGISTERED', '94', 'conflict'),
  notSignedOn: e('TERMINAL_NOT_SIGNED_ON', '22', 'state'),
  operatorUnknown: e('OPERATOR_UNKNOWN', '55', 'unauthenticated'),
  operatorPasswordInvalid: e('OPERATOR_PASSWORD_INVALID', '55', 'unauthenticated'),
  operatorLocked: e('OPERATOR_LOCKED', '75', 'forbidden'),
  batchNumberMismatch: e('BATCH_NUMBER_MISMATCH', '77', 'state'),
  amountInvalid: e('AMOUNT_INVALID', '13', 'validation'),
  amountOverLimit: e('AMOUNT_OVER_LIMIT', '61', 'validation'),
  currencyNotAccepted: e('CURRENCY_NOT_ACCEPTED', '58', 'forbidden'),
  cardDataMissing: e('CARD_DATA_MISSING', '30', 'validation'),
  originalNotFound: e('ORIGINAL_NOT_FOUND', '25', 'not_found'),
  originalAlreadyVoided: e('ORIGINAL_ALREADY_VOIDED', '12', 'state'),
  originalReversed: e('ORIGINAL_REVERSED', '12', 'state'),
  originalHasRefunds: e('ORIGINAL_HAS_REFUNDS', '12', 'state'),
  voidOutsideOpenBatch: e('VOID_OUTSIDE_OPEN_BATCH', '12', 'state'),
  voidNotASale: e('VOID_NOT_A_SALE', '12', 'state'),
  refundNotASale: e('REFUND_NOT_A_SALE', '12', 'state'),
  refundExceedsOriginal: e('REFUND_EXCEEDS_ORIGINAL', '13', 'validation'),
  reversalNotAllowed: e('REVERSAL_NOT_ALLOWED', '12', 'state'),
  alreadyReversed: e('ORIGINAL_ALREADY_REVERSED', '12', 'state'),
  duplicateTransmission: e('DUPLICATE_TRANSMISSION', '94', 'conflict'),
  batchUploadInProgress: e('BATCH_UPLOAD_IN_PROGRESS', '12', 'state'),
  batchUploadNotExpected: e('BATCH_UPLOAD_NOT_EXPECTED', '12', 'state'),
  settlementTotalsMalformed: e('SETTLEMENT_TOTALS_MALFORMED', '30', 'validation'),
  signOffUnsettledBatch: e('SIGN_OFF_UNSETTLED_BATCH', '12', 'state'),
} as const;
