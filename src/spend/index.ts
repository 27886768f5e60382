/** Spend: pricing and the usage ledger. Caps and reservations arrive with issue #6. */
export { costUsd, type TokenUsage } from './pricing';
export { countTextTokens } from './estimate';
export { UsageLedger, type UsageRow, type UsageLedgerOptions } from './usage-ledger';
