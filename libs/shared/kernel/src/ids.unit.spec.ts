import { describe, expect, it } from 'vitest';
import { BatchNo, MaskedPan, MerchantId, OperatorId, Rrn, Stan, TerminalId } from './ids';

describe('identifiers, one parser each', () => {
  it.each([
    ['TerminalId', TerminalId, ['T0000001', 'S016ABCD'], ['T000001', 'T00000011', 't0000001', 'T000000-', ' T0000001']],
    ['MerchantId', MerchantId, ['M00000000000001'], ['M0000000000001', 'm00000000000001', 'M00000000000001 ']],
    ['Stan', Stan, ['000001', '999999'], ['000000', '00001', '0000001', '00000A', '１２３４５６']],
    ['BatchNo', BatchNo, ['000001', '999999'], ['000000', '1', '1234567']],
    ['Rrn', Rrn, ['000000000001', '632812345678'], ['00000000001', '0000000000001', '00000000000A']],
    ['OperatorId', OperatorId, ['01', '12345678'], ['1', '123456789', 'ab']],
    ['MaskedPan', MaskedPan, ['622848******1234', '411111**1111', '622848*********1234'], ['6228481234561234', '622848*1234', '622848**********1234']],
  ] as const)('%s accepts its own format and nothing else', (_name, id, good, bad) => {
    for (const v of good) expect(id.safeParse(v).data, v).toBe(v);
    for (const v of bad) expect(id.safeParse(v).success, v).toBe(false);
  });

  it('says what it expects, in the words every edge answers with', () => {
    expect(Stan.safeParse('000000').error?.issues[0]?.message).toBe('6 digits, 000001 to 999999');
    expect(TerminalId.description).toBe('8 capital letters or digits');
  });
});
