import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { activeCollection, type ServiceStore } from '@pos/eventing';
import { DomainError } from '@pos/kernel';
import { SERVICE_STORE } from '@pos/platform';
import { type AuditEntry, auditTrailKeyPrefix } from '@pos/reconciliation-domain';
import { DOCS } from '../reconciliation.projector';

/** The audit trail: every event of a terminal's business day, in order, with actor, time and hash. */
@ApiTags('reconciliation')
@Controller('v1/reconciliation/audit-trail')
export class AuditTrailController {
  constructor(@Inject(SERVICE_STORE) private readonly store: ServiceStore) {}

  @Get(':terminalId/:businessDay')
  @ApiOperation({ summary: "A terminal's audit trail for one business day" })
  async get(@Param('terminalId') terminalId: string, @Param('businessDay') businessDay: string) {
    if (!/^[A-Z0-9]{8}$/.test(terminalId) || !/^\d{4}-\d{2}-\d{2}$/.test(businessDay))
      throw new DomainError('QUERY_INVALID', 'terminalId or businessDay is malformed', '30', 'validation');
    const rows = await this.store.listDocuments<AuditEntry>(await activeCollection(this.store, DOCS.auditTrail), auditTrailKeyPrefix(terminalId, businessDay));
    return { terminalId, businessDay, entries: rows.map((r, i) => ({ seq: i + 1, ...r.doc })) };
  }
}
