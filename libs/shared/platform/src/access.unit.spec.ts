import { describe, expect, it } from 'vitest';
import { bootstrapTokensOf, isLoopbackHost, type Principal, roleOn } from './access';
import { sha256 } from './guards';

const STRONG = 'a'.repeat(43);

describe('back-office roles on routes', () => {
  const token = (role: Principal['roles'][number]): Principal => ({ tokenId: `tk-${role}`, name: role, roles: [role] });

  it('lets each write role write its own routes only, and every role read', () => {
    const table = (['operations', 'finance', 'auditor'] as const).map((role) =>
      (['operations', 'finance', 'read', undefined] as const).map((need) => {
        try {
          return roleOn(token(role), need);
        } catch (e) {
          return (e as { code: string }).code;
        }
      }),
    );
    expect(table).toEqual([
      ['operations', 'ADMIN_FORBIDDEN', 'operations', 'ADMIN_FORBIDDEN'],
      ['ADMIN_FORBIDDEN', 'finance', 'finance', 'ADMIN_FORBIDDEN'],
      ['ADMIN_FORBIDDEN', 'ADMIN_FORBIDDEN', 'auditor', 'ADMIN_FORBIDDEN'],
    ]);
  });

  it('says which role the route needs, or that a route declaring none is open to nobody', () => {
    expect(() => roleOn(token('auditor'), 'finance')).toThrow('token tk-auditor has the auditor role; this operation needs the finance role');
    expect(() => roleOn(token('operations'), undefined)).toThrow('this operation is open to no role');
  });

  it('reads in the read-only role when a token holds several (the development token)', () => {
    expect(roleOn({ tokenId: 'development', name: 'd', roles: ['operations', 'finance', 'auditor'] }, 'read')).toBe('auditor');
    expect(roleOn({ tokenId: 'development', name: 'd', roles: ['operations', 'finance', 'auditor'] }, 'finance')).toBe('finance');
  });
});

describe('bootstrap tokens from the environment', () => {
  it('keeps only hashes, one per role given', () => {
    expect(bootstrapTokensOf({ LEDGER_FINANCE_TOKEN: STRONG, LEDGER_AUDITOR_TOKEN: '' })).toEqual([{ role: 'finance', hash: sha256(STRONG) }]);
    expect(bootstrapTokensOf({})).toEqual([]);
  });

  it('refuses a weak token (the development token included) and one token for two roles', () => {
    expect(() => bootstrapTokensOf({ LEDGER_OPERATIONS_TOKEN: 'dev-admin-token' })).toThrow(/LEDGER_OPERATIONS_TOKEN must be at least 43 characters .*openssl rand -hex 32/);
    expect(() => bootstrapTokensOf({ LEDGER_OPERATIONS_TOKEN: `${'a'.repeat(42)} ` })).toThrow(/at least 43 characters/);
    expect(() => bootstrapTokensOf({ LEDGER_OPERATIONS_TOKEN: STRONG, LEDGER_AUDITOR_TOKEN: STRONG })).toThrow('LEDGER_AUDITOR_TOKEN is the same token as another role');
  });
});

describe('loopback', () => {
  it('is 127.0.0.0/8, ::1 and localhost; nothing else', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].map(isLoopbackHost)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '::', '10.0.0.1', '192.168.1.10', '127.0.0.1.example.com', ''].map(isLoopbackHost)).toEqual([false, false, false, false, false, false]);
  });
});
