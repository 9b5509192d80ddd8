import { accessSchemas } from './access/access.schemas';
import { EventTypes } from './event-types';
import { reconciliationSchemas } from './reconciliation/reconciliation.schemas';
import { settlementSchemas } from './settlement/settlement.schemas';
import { terminalSchemas } from './terminal/terminal.schemas';

/**
 * What each kind of stream may hold, as values its readers pass to `readStream`: an event of
 * another type there is refused (EVENT_TYPE_UNEXPECTED), and what is read is typed by them.
 */
export const LEDGER_EVENTS = EventTypes.ofSchemas({ ...terminalSchemas, ...settlementSchemas, ...reconciliationSchemas, ...accessSchemas });
/** `terminal-<terminalId>`. */
export const TERMINAL_EVENTS = EventTypes.ofSchemas(terminalSchemas);
/** `settlement-<terminal>-<day>-<batch>`. */
export const SETTLEMENT_EVENTS = EventTypes.of('BatchSettled', 'PayoutScheduled');
/** `payouts-<merchantId>-<currency>`: a merchant's payout runs in a currency. */
export const PAYOUT_EVENTS = EventTypes.of('PayoutScheduled', 'PayoutCarriedForward');
/** `pricing-<merchantId>`: a merchant's published plan versions. */
export const PRICING_EVENTS = EventTypes.of('PricingPlanPublished');
/** `calendar-<country>`: the calendars operations loaded. */
export const CALENDAR_EVENTS = EventTypes.of('PayoutCalendarLoaded');
/** `access-token-<tokenId>`, in the access store. */
export const ACCESS_EVENTS = EventTypes.ofSchemas(accessSchemas);
/** `break-<breakId>`. */
export const BREAK_EVENTS = EventTypes.of('ReconciliationBreakDetected', 'ReconciliationBreakAssigned', 'ReconciliationBreakResolved');
/** `reconciliation-day-<businessDay>`. */
export const RECONCILIATION_DAY_EVENTS = EventTypes.of('ReconciliationRunCompleted', 'DayReconciled');
/** `checkpoints`, in the reconciliation store. */
export const CHECKPOINT_EVENTS = EventTypes.of('DayCheckpointed');
