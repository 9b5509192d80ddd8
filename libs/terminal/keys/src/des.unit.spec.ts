import { describe, expect, it } from 'vitest';
import { cbcMac, checkValue, desDecrypt, desEncrypt, padZeros, tdesDecrypt, tdesEncrypt, withOddParity, xor } from './des';

const hex = (h: string) => Buffer.from(h, 'hex');
const HEX = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

describe('DES primitives (single DES from two-key EDE with K1 = K2)', () => {
  // The worked example of J. Orlin Grabbe, "The DES Algorithm Illustrated".
  it('single DES matches the published worked example, both ways', () => {
    expect(HEX(desEncrypt(hex('133457799BBCDFF1'), hex('0123456789ABCDEF')))).toBe('85E813540F0AB405');
    expect(HEX(desDecrypt(hex('133457799BBCDFF1'), hex('85E813540F0AB405')))).toBe('0123456789ABCDEF');
  });

  // A UnionPay sign-on worked example (CSDN blog zhu244912654/80005341): TAK under TMK 70F2…B923.
  it('two-key triple DES decrypts a working key published under its master key, and encrypts it back', () => {
    const tmk = hex('70F2A84CCBC2AE8625CBB0F2C22AB923');
    expect(HEX(tdesDecrypt(tmk, hex('96D605EA176B7E9E')))).toBe('C24A8FB57AA20123');
    expect(HEX(tdesEncrypt(tmk, hex('C24A8FB57AA20123')))).toBe('96D605EA176B7E9E');
  });

  it('refuses partial blocks and wrong key lengths', () => {
    expect(() => desEncrypt(hex('133457799BBCDFF1'), hex('0123'))).toThrow(RangeError);
    expect(() => desEncrypt(hex('1334'), hex('0123456789ABCDEF'))).toThrow(RangeError);
    expect(() => cbcMac(hex('133457799BBCDFF1'), Buffer.alloc(0))).toThrow(RangeError);
    expect(() => xor(hex('00'), hex('0000'))).toThrow(RangeError);
  });

  it('CBC-MAC of one block is its encryption; of two, the second chained through the first', () => {
    const k = hex('133457799BBCDFF1');
    const b1 = hex('0123456789ABCDEF');
    const b2 = hex('FEDCBA9876543210');
    expect(cbcMac(k, b1)).toEqual(desEncrypt(k, b1));
    expect(cbcMac(k, Buffer.concat([b1, b2]))).toEqual(desEncrypt(k, xor(desEncrypt(k, b1), b2)));
  });

  it('pads with zeros to whole blocks (ISO 9797-1 method 1), whole blocks unchanged, empty data to one block', () => {
    expect(HEX(padZeros(hex('0102030405')))).toBe('0102030405000000');
    expect(HEX(padZeros(hex('0102030405060708')))).toBe('0102030405060708');
    expect(HEX(padZeros(Buffer.alloc(0)))).toBe('0000000000000000');
  });

  // Check values published beside their keys: 0123…3210 → 08D7B4 (jPOS SecureDESKey examples, DSpread QPOS SDK
  // demos "08D7B4FB629D0885"); CFC4…64BB → 38B7DF (MoorTools KeyChecksumValueTests); psec.des.generate_kcv agrees.
  it('key check values of known keys', () => {
    expect(HEX(checkValue(hex('0123456789ABCDEFFEDCBA9876543210')))).toBe('08D7B4');
    expect(HEX(checkValue(hex('CFC46B6B23196D85B5162F05465064BB')))).toBe('38B7DF');
  });

  it('sets odd parity without touching the key bits', () => {
    const fixed = withOddParity(hex('0000FEFF0102030405060708090A0B0C'));
    for (const b of fixed) expect(b.toString(2).split('').filter((c) => c === '1').length % 2).toBe(1);
    expect(HEX(fixed.map((b) => b & 0xfe))).toBe(HEX(hex('0000FEFE0002020404060608080A0A0C')));
  });
});
