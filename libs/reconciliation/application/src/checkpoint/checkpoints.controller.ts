import { Body, Controller, Get, Inject, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { calendarDay, checkpointedStream, reconciliationSchemas } from '@pos/contracts';
import { ApiContract, parseQuery, parseRequest } from '@pos/platform';
import { ReconciliationErrors } from '@pos/reconciliation-domain';
import { z } from 'zod';
import { CheckpointRecorder } from './checkpoint-recorder';

const checkpointAnswer = reconciliationSchemas.DayCheckpointed.extend({ streams: z.array(checkpointedStream).describe('every stream of the range, with the version range covered and the head hash signed') });
const dayPath = z.object({ businessDay: calendarDay });
const closeRequest = z.object({ businessDay: calendarDay }).strict();
const publicKeyAnswer = z.object({
  algorithm: z.literal('Ed25519'),
  keyId: z.string().describe('the first 16 hex digits of SHA-256 of the raw public key; every checkpoint names the key it was signed with'),
  publicKeyHex: z.string().describe('the raw 32-byte Ed25519 public key, hex'),
  publicKeyPem: z.string().describe('the same key as a PEM (SPKI)'),
  development: z.boolean().describe('true for the well-known development key of the embedded default: its checkpoints prove nothing'),
  statementFormat: z.literal('pos-ledger-checkpoint/1'),
});

/** Daily checkpoints: the signed Merkle root of each closed business day, and the key that verifies them (docs/api.md, "Daily checkpoints"). */
@ApiTags('checkpoints')
@Controller('v1/checkpoints')
export class CheckpointsController {
  constructor(@Inject(CheckpointRecorder) private readonly recorder: CheckpointRecorder) {}

  @Get('public-key')
  @ApiContract({ auth: 'read', summary: "The acquirer's Ed25519 public key that daily checkpoints are signed with", status: 200, answer: publicKeyAnswer, errors: {} })
  publicKey() {
    const s = this.recorder.signer;
    return { algorithm: 'Ed25519', keyId: s.keyId, publicKeyHex: s.publicKeyHex, publicKeyPem: s.publicKeyPem, development: s.development, statementFormat: 'pos-ledger-checkpoint/1' };
  }

  @Get(':businessDay')
  @ApiContract({
    auth: 'read',
    summary: "A business day's checkpoint: the log range and streams it covers, its Merkle root and the signature",
    params: dayPath,
    status: 200,
    answer: checkpointAnswer,
    errors: { 404: ['CHECKPOINT_NOT_FOUND'] },
  })
  async get(@Param() params: unknown) {
    const { businessDay } = parseQuery(dayPath, params);
    const found = await this.recorder.of(businessDay);
    if (!found) throw ReconciliationErrors.CHECKPOINT_NOT_FOUND(`business day ${businessDay} has no checkpoint (not closed yet, or nothing was recorded)`, { businessDay });
    return found;
  }

  @Post()
  @ApiContract({
    auth: 'operations',
    summary: 'Close a business day now (end of day, once its terminals have settled) rather than at its cut-off: records its signed checkpoint',
    body: closeRequest,
    status: 201,
    answer: checkpointAnswer,
    errors: { 400: ['CHECKPOINT_DAY_INVALID'], 409: ['CHECKPOINT_DAY_CLOSED'] },
  })
  close(@Body() body: unknown) {
    return this.recorder.close(parseRequest(closeRequest, body).businessDay, 'OPERATIONS');
  }
}
