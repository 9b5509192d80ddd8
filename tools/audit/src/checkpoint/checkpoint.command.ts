import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { KeyObject } from 'node:crypto';
import { CHECKPOINT_EVENTS, CHECKPOINTS_STREAM_ID, type DayCheckpointed, TERMINAL_EVENTS } from '@pos/contracts';
import {
  checkInclusionProof, CheckpointKeyError, checkpointPublicKeyFrom, checkpointSignerFrom, checkpointTree, describePublicKey, type InclusionProof, proveInclusion,
  type StoredEventContent, verifyStatement,
} from '@pos/eventing';
import { type Checkpoint, CHECKPOINT_DOCS, eventsOfLogRange, statementOf } from '@pos/reconciliation-application';
import { CliError, EXIT, usage } from '../cli/errors';
import * as parse from '../cli/options';
import { emit, jsonText } from '../cli/output';
import type { AuditContext } from '../cli/context';
import { withContext } from '../cli/run';

const SERVICES = ['terminal-gateway', 'settlement', 'reconciliation'] as const;

/** A public key option: a file holding a PEM or hex, or the hex itself. */
const publicKeyOf = (value: string): KeyObject => {
  let text = value;
  try {
    text = readFileSync(value, 'utf8');
  } catch {
    /* not a file: the key itself */
  }
  try {
    return checkpointPublicKeyFrom(text);
  } catch (e) {
    throw usage('PUBLIC_KEY_INVALID', e instanceof Error ? e.message : String(e));
  }
};

/**
 * The key checkpoints must verify with: never the one a checkpoint names (a forger would name
 * their own), but `--public-key`, or the configured signing key's public half, or on the
 * embedded default the development key.
 */
const trustedKey = (given: KeyObject | undefined, ctx: AuditContext): KeyObject => {
  if (given) return given;
  try {
    return checkpointPublicKeyFrom(checkpointSignerFrom(process.env.LEDGER_CHECKPOINT_SIGNING_KEY, ctx.deployment.kind === 'embedded').publicKeyHex);
  } catch (e) {
    if (e instanceof CheckpointKeyError) throw usage('PUBLIC_KEY_MISSING', 'give --public-key (the key GET /v1/checkpoints/public-key publishes), or set LEDGER_CHECKPOINT_SIGNING_KEY');
    throw e;
  }
};

type Signed = DayCheckpointed['data'];

/** The checkpoints as recorded on their stream (signed; the stream list is not in the event). */
const checkpoints = async (ctx: AuditContext): Promise<Signed[]> =>
  (await ctx.store('reconciliation').readStream(CHECKPOINTS_STREAM_ID, CHECKPOINT_EVENTS)).map((e) => e.data);

const checkpointOf = async (ctx: AuditContext, day: string): Promise<Signed> => {
  const found = (await checkpoints(ctx)).find((c) => c.businessDay === day);
  if (!found) throw usage('CHECKPOINT_NOT_FOUND', `business day ${day} has no checkpoint (not closed yet, or nothing was recorded)`);
  return found;
};

/**
 * The streams a checkpoint covers, with the heads it signed: the recorder's document, or where it
 * is missing or is not this checkpoint's, the streams the log's range holds. Either only says
 * which stream to name: what is signed is the root, which covers every head.
 */
const withStreams = async (ctx: AuditContext, c: Signed): Promise<Checkpoint> => {
  const doc = await ctx.store('reconciliation').getDocument<Checkpoint>(CHECKPOINT_DOCS.collection, CHECKPOINT_DOCS.day(c.businessDay));
  if (doc && doc.sequence === c.sequence && doc.rootHash === c.rootHash) return { ...c, streams: doc.streams };
  const events = await eventsOfLogRange(ctx.log, c.log.from, c.log.until);
  const serviceOf = new Map(events.map((e) => [e.streamId, e.service]));
  return { ...c, streams: checkpointTree(events).streams.map((s) => ({ ...s, service: serviceOf.get(s.streamId) ?? 'reconciliation' })) };
};

/** The checkpoint's events as the stores hold them now, with the versions a store no longer has. */
const fromStores = async (ctx: AuditContext, c: Checkpoint) => {
  const events: StoredEventContent[] = [];
  const missing: Array<{ streamId: string; version: number }> = [];
  for (const s of c.streams) {
    const stored = await ctx.store(s.service).readStoredEvents(s.streamId, s.fromVersion, s.toVersion);
    const have = new Set(stored.map((e) => e.version));
    for (let v = s.fromVersion; v <= s.toVersion; v++) if (!have.has(v)) missing.push({ streamId: s.streamId, version: v });
    events.push(...stored);
  }
  return { events, missing };
};

type Finding = { source: 'stores' | 'log' | 'signature'; code: string; streamId?: string; service?: string; version?: number; reason: string };

/** Where a recomputed tree disagrees with the checkpoint, stream by stream (so the report names the stream). */
const compare = (c: Checkpoint, source: 'stores' | 'log', events: readonly StoredEventContent[], missing: ReadonlyArray<{ streamId: string; version: number }>): { rootHash: string; findings: Finding[] } => {
  const tree = checkpointTree(events);
  const findings: Finding[] = [];
  const recomputed = new Map(tree.streams.map((s) => [s.streamId, s]));
  for (const m of missing) findings.push({ source, code: 'EVENT_MISSING', streamId: m.streamId, version: m.version, reason: `version ${m.version} of ${m.streamId} is not in the ${source}` });
  for (const s of c.streams) {
    const r = recomputed.get(s.streamId);
    if (!r) findings.push({ source, code: 'STREAM_MISSING', streamId: s.streamId, service: s.service, reason: `the ${source} hold none of the stream's checkpointed events` });
    else if (r.headHash !== s.headHash || r.fromVersion !== s.fromVersion || r.toVersion !== s.toVersion)
      findings.push({
        source, code: 'STREAM_REWRITTEN', streamId: s.streamId, service: s.service, version: s.toVersion,
        reason: `its events ${s.fromVersion}..${s.toVersion} as the ${source} hold them now hash to head ${r.headHash.slice(0, 16)}…, the day was signed with ${s.headHash.slice(0, 16)}…: history of the day was rewritten`,
      });
  }
  for (const s of tree.streams)
    if (!c.streams.some((x) => x.streamId === s.streamId)) findings.push({ source, code: 'STREAM_NOT_CHECKPOINTED', streamId: s.streamId, reason: `the ${source} hold events of ${s.streamId} in the day's range that the checkpoint does not list` });
  if (tree.rootHash !== c.rootHash && findings.length === 0) findings.push({ source, code: 'ROOT_MISMATCH', reason: `the ${source} give root ${tree.rootHash}, the checkpoint says ${c.rootHash}` });
  return { rootHash: tree.rootHash, findings };
};

const verifyDay = async (ctx: AuditContext, day: string, key: KeyObject) => {
  const c = await withStreams(ctx, await checkpointOf(ctx, day));
  const findings: Finding[] = [];
  const keyId = describePublicKey(key).keyId;
  if (keyId !== c.keyId) findings.push({ source: 'signature', code: 'KEY_MISMATCH', reason: `signed by key ${c.keyId}, the trusted key is ${keyId}` });
  if (!verifyStatement(statementOf(c), c.signature, key)) findings.push({ source: 'signature', code: 'SIGNATURE_INVALID', reason: 'the signature does not verify over the statement with the trusted key' });
  const stored = await fromStores(ctx, c);
  const stores = compare(c, 'stores', stored.events, stored.missing);
  const log = compare(c, 'log', await eventsOfLogRange(ctx.log, c.log.from, c.log.until), []);
  findings.push(...stores.findings, ...log.findings);
  return {
    ok: findings.length === 0, businessDay: c.businessDay, sequence: c.sequence, closedAt: c.closedAt, keyId: c.keyId, rootHash: c.rootHash,
    recomputed: { stores: stores.rootHash, log: log.rootHash }, streams: c.streams.length, events: c.events, treeSize: c.treeSize, findings,
  };
};

/** The sale (or void, refund) answered with `rrn`, as the terminal gateway stores it; an RRN is unique per terminal, so `terminal` tells two apart. */
const transactionOf = async (ctx: AuditContext, rrn: string, terminal: string | undefined): Promise<StoredEventContent> => {
  const store = ctx.store('terminal-gateway');
  const found: Array<{ streamId: string; version: number }> = [];
  for (const streamId of terminal ? [`terminal-${terminal}`] : await store.listStreams('terminal-')) {
    const events = await store.readStream(streamId, TERMINAL_EVENTS);
    for (const e of events) if (e.type === 'TransactionCompleted' && e.data.rrn === rrn) found.push({ streamId, version: e.metadata.version });
  }
  if (found.length === 0) throw usage('RRN_UNKNOWN', `no transaction with RRN ${rrn}${terminal ? ` on terminal ${terminal}` : ''}`);
  if (found.length > 1) throw usage('RRN_AMBIGUOUS', `RRN ${rrn} answered transactions on ${found.map((f) => f.streamId).join(', ')}: give --terminal`);
  return (await store.readStoredEvents(found[0].streamId, found[0].version, found[0].version))[0];
};

const prove = async (ctx: AuditContext, rrn: string, terminal: string | undefined): Promise<InclusionProof> => {
  const event = await transactionOf(ctx, rrn, terminal);
  let c: Checkpoint | undefined;
  for (const signed of await checkpoints(ctx)) {
    const full = await withStreams(ctx, signed);
    if (full.streams.some((s) => s.streamId === event.streamId && s.fromVersion <= event.version && event.version <= s.toVersion)) c = full;
    if (c) break;
  }
  if (!c) throw usage('CHECKPOINT_NOT_FOUND', `the transaction with RRN ${rrn} is in no checkpoint yet (its day has not closed)`);
  const { events } = await fromStores(ctx, c);
  const tree = checkpointTree(events);
  if (tree.rootHash !== c.rootHash) throw new CliError('CHECKPOINT_BROKEN', `the stores no longer give the root signed for ${c.businessDay}: run \`checkpoint verify --day ${c.businessDay}\``, EXIT.FINDINGS);
  const proof = proveInclusion(tree, statementOf(c), c.signature, event);
  if (!proof) throw new CliError('FAILED', `the event of RRN ${rrn} is not a leaf of ${c.businessDay}'s tree`, EXIT.FAILURE);
  return proof;
};

export const registerCheckpointCommands = (program: Command): void => {
  const checkpoint = program.command('checkpoint').description("daily checkpoints: verify a day's signed Merkle root, prove a transaction is in its day, check a proof offline");
  checkpoint
    .command('verify')
    .description("recompute a checkpointed day's Merkle root from the stores and from the log, and check its Ed25519 signature with the trusted key")
    .requiredOption('--day <day>', 'the business day', parse.businessDay)
    .option('--public-key <key>', 'the acquirer public key (file with a PEM, or 64 hex digits); default: the configured signing key, or the development key on the embedded default', publicKeyOf)
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExit code 0 when both recomputed roots equal the signed one and the signature holds, 1 with findings naming the stream.')
    .action(async (o: { day: string; publicKey?: KeyObject; json?: boolean }, cmd: Command) =>
      withContext(cmd, SERVICES, async (ctx) => {
        const report = await verifyDay(ctx, o.day, trustedKey(o.publicKey, ctx));
        if (o.json) emit(jsonText(report));
        else {
          emit(`checkpoint ${report.businessDay} #${report.sequence} (${report.events} events, ${report.streams} streams, key ${report.keyId}): ${report.ok ? 'the stores and the log give the signed root, the signature holds' : `${report.findings.length} FINDINGS`}\n`);
          for (const f of report.findings) emit(`  ${f.source} ${f.code} ${f.streamId ?? ''} ${f.reason}\n`);
        }
        return report.ok ? EXIT.OK : EXIT.FINDINGS;
      }),
    );
  checkpoint
    .command('prove')
    .description("print a Merkle inclusion proof (JSON) that the transaction answered with this RRN is in its day's signed checkpoint")
    .requiredOption('--rrn <rrn>', 'the transaction reference (RRN, 12 characters)', parse.rrn)
    .option('--terminal <id>', 'the terminal that answered it (an RRN is unique per terminal)', parse.terminalId)
    .action(async (o: { rrn: string; terminal?: string }, cmd: Command) =>
      withContext(cmd, SERVICES, async (ctx) => {
        emit(jsonText(await prove(ctx, o.rrn, o.terminal)));
        return EXIT.OK;
      }),
    );
  checkpoint
    .command('check-proof')
    .description('check an inclusion proof offline, with nothing but the public key: the event hashes to its leaf, the path to the signed root, the key signed it')
    .requiredOption('--file <file>', 'the proof (JSON, as `checkpoint prove` prints it)')
    .requiredOption('--public-key <key>', 'the acquirer public key (file with a PEM, or 64 hex digits)', publicKeyOf)
    .option('--json', 'print the result as JSON')
    .action(async (o: { file: string; publicKey: KeyObject; json?: boolean }) => {
      let proof: InclusionProof;
      try {
        proof = JSON.parse(readFileSync(o.file, 'utf8')) as InclusionProof;
      } catch (e) {
        throw usage('PROOF_INVALID', `${o.file}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (proof?.format !== 'pos-ledger-inclusion-proof/1' || !proof.statement || !proof.event || !Array.isArray(proof.auditPath))
        throw usage('PROOF_INVALID', `${o.file} is not a pos-ledger inclusion proof`);
      const result = checkInclusionProof(proof, o.publicKey);
      const summary = { ...result, businessDay: proof.statement.businessDay, sequence: proof.statement.sequence, rootHash: proof.statement.rootHash, streamId: proof.event.streamId, version: proof.event.version, type: proof.event.type };
      emit(o.json ? jsonText(summary) : `${result.ok ? 'VALID' : `INVALID (${result.findings.join(', ')})`}: ${summary.type} ${summary.streamId} v${summary.version} in the checkpoint of ${summary.businessDay} #${summary.sequence}\n`);
      process.exitCode = result.ok ? EXIT.OK : EXIT.FINDINGS;
    });
};
