/**
 * The message spec as data (as moov-io/iso8583 describes specs): for each field number its kind,
 * its length and its length prefix. The codec reads nothing but this table, so another dialect is
 * another table.
 */

/**
 * - `n`: decimal digits, packed BCD two to a byte (an odd count gets one pad nibble: on the left for
 *   fixed fields, on the right for LL/LLL fields, as jPOS's IFB_NUMERIC and IFB_LLNUM do);
 * - `z`: track data, BCD digits with `=` as the nibble D (jPOS's IFB_LLNUM on field 35);
 * - `xn`: `C` or `D` as one ASCII byte, then `length - 1` BCD digits (jPOS's IFB_AMOUNT);
 * - `ans`: characters, one byte each (Latin-1, no control characters);
 * - `b`: raw bytes; `length` counts bytes, the value is a Uint8Array.
 */
export type FieldKind = 'n' | 'z' | 'xn' | 'ans' | 'b';

export interface FieldSpec {
  readonly kind: FieldKind;
  /** The fixed length, or the maximum for a variable one: digits, characters or bytes by kind. */
  readonly length: number;
  /** Digits of the BCD length prefix: 0 fixed, 2 LLVAR (one byte), 3 LLLVAR (two bytes). */
  readonly prefix: 0 | 2 | 3;
  readonly description: string;
}

export interface MessageSpec {
  readonly name: string;
  /** Fields 2 to 128 (1 is the secondary bitmap's bit, never a field of its own). */
  readonly fields: Readonly<Record<number, FieldSpec>>;
}

/**
 * jPOS's stock `ISO87BPackager` (org.jpos.iso.packager.ISO87BPackager, jPOS 3.0.0): MTI 2 BCD
 * bytes, binary bitmap, numeric fields BCD, LL/LLL prefixes BCD, character fields ASCII. Field 65
 * is one binary byte there, and so here.
 */
export const ISO87B: MessageSpec = {
  name: 'ISO 8583:1987, jPOS ISO87BPackager layout',
  fields: {
    2: { kind: 'n', length: 19, prefix: 2, description: 'primary account number (PAN)' },
    3: { kind: 'n', length: 6, prefix: 0, description: 'processing code' },
    4: { kind: 'n', length: 12, prefix: 0, description: 'amount, transaction' },
    5: { kind: 'n', length: 12, prefix: 0, description: 'amount, settlement' },
    6: { kind: 'n', length: 12, prefix: 0, description: 'amount, cardholder billing' },
    7: { kind: 'n', length: 10, prefix: 0, description: 'transmission date and time' },
    8: { kind: 'n', length: 8, prefix: 0, description: 'amount, cardholder billing fee' },
    9: { kind: 'n', length: 8, prefix: 0, description: 'conversion rate, settlement' },
    10: { kind: 'n', length: 8, prefix: 0, description: 'conversion rate, cardholder billing' },
    11: { kind: 'n', length: 6, prefix: 0, description: 'system trace audit number' },
    12: { kind: 'n', length: 6, prefix: 0, description: 'time, local transaction' },
    13: { kind: 'n', length: 4, prefix: 0, description: 'date, local transaction' },
    14: { kind: 'n', length: 4, prefix: 0, description: 'date, expiration' },
    15: { kind: 'n', length: 4, prefix: 0, description: 'date, settlement' },
    16: { kind: 'n', length: 4, prefix: 0, description: 'date, conversion' },
    17: { kind: 'n', length: 4, prefix: 0, description: 'date, capture' },
    18: { kind: 'n', length: 4, prefix: 0, description: 'merchant type' },
    19: { kind: 'n', length: 3, prefix: 0, description: 'acquiring institution country code' },
    20: { kind: 'n', length: 3, prefix: 0, description: 'pan extended country code' },
    21: { kind: 'n', length: 3, prefix: 0, description: 'forwarding institution country code' },
    22: { kind: 'n', length: 3, prefix: 0, description: 'point of service entry mode' },
    23: { kind: 'n', length: 3, prefix: 0, description: 'card sequence number' },
    24: { kind: 'n', length: 3, prefix: 0, description: 'network international identifier' },
    25: { kind: 'n', length: 2, prefix: 0, description: 'point of service condition code' },
    26: { kind: 'n', length: 2, prefix: 0, description: 'point of service pin capture code' },
    27: { kind: 'n', length: 1, prefix: 0, description: 'authorization identification resp len' },
    28: { kind: 'xn', length: 9, prefix: 0, description: 'amount, transaction fee' },
    29: { kind: 'xn', length: 9, prefix: 0, description: 'amount, settlement fee' },
    30: { kind: 'xn', length: 9, prefix: 0, description: 'amount, transaction processing fee' },
    31: { kind: 'xn', length: 9, prefix: 0, description: 'amount, settlement processing fee' },
    32: { kind: 'n', length: 11, prefix: 2, description: 'acquiring institution ident code' },
    33: { kind: 'n', length: 11, prefix: 2, description: 'forwarding institution ident code' },
    34: { kind: 'ans', length: 28, prefix: 2, description: 'pan extended' },
    35: { kind: 'z', length: 37, prefix: 2, description: 'track 2 data' },
    36: { kind: 'ans', length: 104, prefix: 3, description: 'track 3 data' },
    37: { kind: 'ans', length: 12, prefix: 0, description: 'retrieval reference number' },
    38: { kind: 'ans', length: 6, prefix: 0, description: 'authorization identification response' },
    39: { kind: 'ans', length: 2, prefix: 0, description: 'response code' },
    40: { kind: 'ans', length: 3, prefix: 0, description: 'service restriction code' },
    41: { kind: 'ans', length: 8, prefix: 0, description: 'card acceptor terminal identification' },
    42: { kind: 'ans', length: 15, prefix: 0, description: 'card acceptor identification code' },
    43: { kind: 'ans', length: 40, prefix: 0, description: 'card acceptor name/location' },
    44: { kind: 'ans', length: 25, prefix: 2, description: 'additional response data' },
    45: { kind: 'ans', length: 76, prefix: 2, description: 'track 1 data' },
    46: { kind: 'ans', length: 999, prefix: 3, description: 'additional data - iso' },
    47: { kind: 'ans', length: 999, prefix: 3, description: 'additional data - national' },
    48: { kind: 'ans', length: 999, prefix: 3, description: 'additional data - private' },
    49: { kind: 'ans', length: 3, prefix: 0, description: 'currency code, transaction' },
    50: { kind: 'ans', length: 3, prefix: 0, description: 'currency code, settlement' },
    51: { kind: 'ans', length: 3, prefix: 0, description: 'currency code, cardholder billing' },
    52: { kind: 'b', length: 8, prefix: 0, description: 'pin data' },
    53: { kind: 'n', length: 16, prefix: 0, description: 'security related control information' },
    54: { kind: 'ans', length: 120, prefix: 3, description: 'additional amounts' },
    // An LLLCHAR in ISO87BPackager, whose ISO-8859-1 characters are the EMV TLV's bytes: the same wire bytes, held as bytes.
    55: { kind: 'b', length: 999, prefix: 3, description: 'integrated circuit card system related data (EMV TLV)' },
    56: { kind: 'ans', length: 999, prefix: 3, description: 'reserved iso' },
    57: { kind: 'ans', length: 999, prefix: 3, description: 'reserved national' },
    58: { kind: 'ans', length: 999, prefix: 3, description: 'reserved national' },
    59: { kind: 'ans', length: 999, prefix: 3, description: 'reserved national' },
    60: { kind: 'ans', length: 999, prefix: 3, description: 'reserved private' },
    61: { kind: 'ans', length: 999, prefix: 3, description: 'reserved private' },
    62: { kind: 'ans', length: 999, prefix: 3, description: 'reserved private' },
    63: { kind: 'ans', length: 999, prefix: 3, description: 'reserved private' },
    64: { kind: 'b', length: 8, prefix: 0, description: 'message authentication code' },
    65: { kind: 'b', length: 1, prefix: 0, description: 'bitmap, extended' },
    66: { kind: 'n', length: 1, prefix: 0, description: 'settlement code' },
    67: { kind: 'n', length: 2, prefix: 0, description: 'extended payment code' },
    68: { kind: 'n', length: 3, prefix: 0, description: 'receiving institution country code' },
    69: { kind: 'n', length: 3, prefix: 0, description: 'settlement institution country code' },
    70: { kind: 'n', length: 3, prefix: 0, description: 'network management information code' },
    71: { kind: 'n', length: 4, prefix: 0, description: 'message number' },
    72: { kind: 'n', length: 4, prefix: 0, description: 'message number last' },
    73: { kind: 'n', length: 6, prefix: 0, description: 'date action' },
    74: { kind: 'n', length: 10, prefix: 0, description: 'credits number' },
    75: { kind: 'n', length: 10, prefix: 0, description: 'credits reversal number' },
    76: { kind: 'n', length: 10, prefix: 0, description: 'debits number' },
    77: { kind: 'n', length: 10, prefix: 0, description: 'debits reversal number' },
    78: { kind: 'n', length: 10, prefix: 0, description: 'transfer number' },
    79: { kind: 'n', length: 10, prefix: 0, description: 'transfer reversal number' },
    80: { kind: 'n', length: 10, prefix: 0, description: 'inquiries number' },
    81: { kind: 'n', length: 10, prefix: 0, description: 'authorization number' },
    82: { kind: 'n', length: 12, prefix: 0, description: 'credits, processing fee amount' },
    83: { kind: 'n', length: 12, prefix: 0, description: 'credits, transaction fee amount' },
    84: { kind: 'n', length: 12, prefix: 0, description: 'debits, processing fee amount' },
    85: { kind: 'n', length: 12, prefix: 0, description: 'debits, transaction fee amount' },
    86: { kind: 'n', length: 16, prefix: 0, description: 'credits, amount' },
    87: { kind: 'n', length: 16, prefix: 0, description: 'credits, reversal amount' },
    88: { kind: 'n', length: 16, prefix: 0, description: 'debits, amount' },
    89: { kind: 'n', length: 16, prefix: 0, description: 'debits, reversal amount' },
    90: { kind: 'n', length: 42, prefix: 0, description: 'original data elements' },
    91: { kind: 'ans', length: 1, prefix: 0, description: 'file update code' },
    92: { kind: 'ans', length: 2, prefix: 0, description: 'file security code' },
    93: { kind: 'ans', length: 6, prefix: 0, description: 'response indicator' },
    94: { kind: 'ans', length: 7, prefix: 0, description: 'service indicator' },
    95: { kind: 'ans', length: 42, prefix: 0, description: 'replacement amounts' },
    96: { kind: 'b', length: 16, prefix: 0, description: 'message security code' },
    97: { kind: 'xn', length: 17, prefix: 0, description: 'amount, net settlement' },
    98: { kind: 'ans', length: 25, prefix: 0, description: 'payee' },
    99: { kind: 'n', length: 11, prefix: 2, description: 'settlement institution ident code' },
    100: { kind: 'n', length: 11, prefix: 2, description: 'receiving institution ident code' },
    101: { kind: 'ans', length: 17, prefix: 2, description: 'file name' },
    102: { kind: 'ans', length: 28, prefix: 2, description: 'account identification 1' },
    103: { kind: 'ans', length: 28, prefix: 2, description: 'account identification 2' },
    104: { kind: 'ans', length: 100, prefix: 3, description: 'transaction description' },
    105: { kind: 'ans', length: 999, prefix: 3, description: 'reserved iso use' },
    106: { kind: 'ans', length: 999, prefix: 3, description: 'reserved iso use' },
    107: { kind: 'ans', length: 999, prefix: 3, description: 'reserved iso use' },
    108: { kind: 'ans', length: 999, prefix: 3, description: 'reserved iso use' },
    109: { kind: 'ans', length: 999, prefix: 3, description: 'reserved iso use' },
    110: { kind: 'ans', length: 999, prefix: 3, description: 'reserved iso use' },
    111: { kind: 'ans', length: 999, prefix: 3, description: 'reserved iso use' },
    112: { kind: 'ans', length: 999, prefix: 3, description: 'reserved national use' },
    113: { kind: 'ans', length: 999, prefix: 3, description: 'reserved national use' },
    114: { kind: 'ans', length: 999, prefix: 3, description: 'reserved national use' },
    115: { kind: 'ans', length: 999, prefix: 3, description: 'reserved national use' },
    116: { kind: 'ans', length: 999, prefix: 3, description: 'reserved national use' },
    117: { kind: 'ans', length: 999, prefix: 3, description: 'reserved national use' },
    118: { kind: 'ans', length: 999, prefix: 3, description: 'reserved national use' },
    119: { kind: 'ans', length: 999, prefix: 3, description: 'reserved national use' },
    120: { kind: 'ans', length: 999, prefix: 3, description: 'reserved private use' },
    121: { kind: 'ans', length: 999, prefix: 3, description: 'reserved private use' },
    122: { kind: 'ans', length: 999, prefix: 3, description: 'reserved private use' },
    123: { kind: 'ans', length: 999, prefix: 3, description: 'reserved private use' },
    124: { kind: 'ans', length: 999, prefix: 3, description: 'reserved private use' },
    125: { kind: 'ans', length: 999, prefix: 3, description: 'reserved private use' },
    126: { kind: 'ans', length: 999, prefix: 3, description: 'reserved private use' },
    127: { kind: 'ans', length: 999, prefix: 3, description: 'reserved private use' },
    128: { kind: 'b', length: 8, prefix: 0, description: 'message authentication code (secondary)' },
  },
};
