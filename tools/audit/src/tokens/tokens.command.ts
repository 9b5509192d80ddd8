import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import type { ServiceStore } from '@pos/eventing';
import { type AccessTokenListing, AccessTokens, BACK_OFFICE_ROLES, parseRole } from '@pos/platform';
import { openAccessStore } from '../cli/context';
import { EXIT, usage } from '../cli/errors';
import { emit, grid, jsonText, note } from '../cli/output';
import { globalsOf } from '../cli/run';

/** Who issues and revokes, as recorded in the token's events: the operator running the CLI. */
const actor = () => ({ type: 'admin' as const, id: `ledger-tokens:${userInfo().username}@${hostname()}` });
const correlationId = () => `ledger-tokens-${process.pid}-${Date.now()}`;

const withTokens = async (cmd: Command, fn: (tokens: AccessTokens) => Promise<number>): Promise<void> => {
  const store: ServiceStore = await openAccessStore(globalsOf(cmd));
  try {
    process.exitCode = await fn(new AccessTokens(store));
  } finally {
    await store.close().catch(() => undefined);
  }
};

const row = (t: AccessTokenListing) => [t.tokenId, t.name, t.role, t.status, t.issuedAt, t.revokedAt ?? ''];
const HEAD = ['id', 'name', 'role', 'status', 'issued at', 'revoked at'];

export const registerTokenCommands = (program: Command): void => {
  const tokens = program
    .command('tokens')
    .description(`back-office bearer tokens (roles: ${BACK_OFFICE_ROLES.join(', ')}), stored only as SHA-256 in the access store every service reads`);

  tokens
    .command('issue')
    .description('issue a token and print it once: it is stored nowhere, only its hash is')
    .requiredOption('--name <name>', 'who or what holds it (recorded with every write it makes)')
    .requiredOption('--role <role>', `${BACK_OFFICE_ROLES.join(', ')}`, (v: string) => {
      try {
        return parseRole(v);
      } catch (e) {
        throw usage('TOKEN_ROLE_INVALID', e instanceof Error ? e.message : String(e));
      }
    })
    .option('--json', 'print { token, tokenId, name, role, status, issuedAt } as JSON')
    .action(async (o: { name: string; role: string; json?: boolean }, cmd: Command) =>
      withTokens(cmd, async (store) => {
        const { token, record } = await store.issue({ name: o.name, role: o.role }, actor(), new Date(), correlationId());
        if (o.json) emit(jsonText({ token, ...record }));
        else {
          emit(`${token}\n`);
          note(`issued ${record.tokenId} (${record.name}, ${record.role}); the token above is shown this once: keep it secret, revoke with \`npm run tokens -- revoke ${record.tokenId}\``);
        }
        return EXIT.OK;
      }),
    );

  tokens
    .command('revoke')
    .description('revoke a token by id: refused from the next request on, by every replica')
    .argument('<id>', 'the token id (from `list`)')
    .option('--json', 'print the token (without secret) as JSON')
    .action(async (id: string, o: { json?: boolean }, cmd: Command) =>
      withTokens(cmd, async (store) => {
        const { record, changed } = await store.revoke(id, actor(), new Date(), correlationId());
        if (o.json) emit(jsonText({ ...record, changed }));
        else emit(changed ? `revoked ${record.tokenId} (${record.name}, ${record.role})\n` : `${record.tokenId} was already revoked at ${record.revokedAt}\n`);
        return EXIT.OK;
      }),
    );

  tokens
    .command('list')
    .description('every token issued, active and revoked, without secrets')
    .option('--json', 'print them as JSON')
    .action(async (o: { json?: boolean }, cmd: Command) =>
      withTokens(cmd, async (store) => {
        const all = await store.list();
        emit(o.json ? jsonText(all) : grid(HEAD, all.map(row)));
        return EXIT.OK;
      }),
    );
};
