// The eventing core's public surface: only what other projects import (the rest stays internal).
export { STORE_START } from './event-store.port';
export type {
  AppendOutcome, DocumentReader, DocumentStoreTx, DocumentWrite, ExpectedVersion, HashChainReport, ListOptions,
  NewEvent, OutboxRecord, ServiceStore, StorePosition, StoreTx, StreamAppend,
} from './event-store.port';
export { DEFAULT_MAX_BATCH, dlqTopic, positionKey } from './message-log.port';
export type { ConsumedMessage, Consumer, ConsumerOptions, LogMessage, LogPositions, MessageLog, ReadRangeOptions } from './message-log.port';
export { canonicalJson, GENESIS_HASH, verifyChain } from './hash-chain';
export { parseWithBigInt, stringifyWithBigInt, toJsonSafe } from './json';
export { fromLogMessage, HEADERS, partitionKeyOf, toLogMessage } from './envelope';
export { OutboxRelay } from './outbox-relay';
export type { RelayOptions } from './outbox-relay';
export { startIdempotentConsumer } from './idempotent-consumer';
export { StoreSubscription } from './store-subscription';
export { AppendSignal } from './append-signal';
export { GroupCommit } from './group-commit';
export { draftStream, recordedFromDraft, storedEventHash, storedLogMessage } from './stored-event';
export { contextOf, decodeStoredEvent, ofTypes } from './decode';
export type { StoredEventDraft } from './stored-event';
export {
  activeCollection, applyLiveBatch, committedDocuments, projection, PROJECTION_REGISTRY, readProjectionState, STORE_POSITION_KEY, storePosition,
} from './projections/projection';
export type { LiveItem, ProjectionDefinition } from './projections/projection';
export { BufferedDocuments } from './projections/documents';
export { rangeSize, sourceEnd } from './projections/source';
export type { SourceRange } from './projections/source';
export { abortRebuild, liveDigest, rebuildProjection, replayIntoMemory } from './projections/rebuild';
export type { MemoryReplay, RebuildReport } from './projections/rebuild';
export { ProjectionErrors } from './projections/projection.errors';
export { DigestCache, ProjectionRebuilds, projectionStatus } from './projections/status';
export type { ProjectionStatus } from './projections/status';
export { consumerLagByPartition, deadLetterCounts } from './ops';
export {
  checkInclusionProof, checkpointPublicKeyFrom, checkpointSignerFrom, checkpointTree, CheckpointKeyError, contentOfLogMessage,
  describePublicKey, FIRST_PREVIOUS_ROOT, proveInclusion, verifyStatement,
} from './checkpoint';
export type { CheckpointSigner, CheckpointStatement, InclusionProof, StoredEventContent } from './checkpoint';
