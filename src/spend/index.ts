/**
 * Spend: pricing, token estimates, caps and rate limits enforced with atomic Redis reservations,
 * settlement to real usage, the PostgreSQL usage ledger (the source of truth) and reports.
 * See README.md in this folder for where each call goes in the request path.
 */
export { costUsd, type TokenUsage } from './pricing';
export {
  countTextTokens, countChatPromptTokens, estimateChatCost, estimateEmbeddingsCost, usageFromPartialOutput,
  DEFAULT_MAX_OUTPUT_TOKENS, type SpendEstimate,
} from './estimate';
export { UsageLedger, type UsageRow, type UsageLedgerOptions } from './usage-ledger';
export {
  capsForKey, capsFromPolicyData, subjectFromKey, combineLimits, validateSpecs, spendPolicySchema, NO_KEY_LIMITS,
  type SpendSubject, type CapSpec, type CapScope, type CapUnit, type RateSpec, type KeyLimits, type SpendPolicyData,
} from './limits';
export { SpendGuard, type SpendGuardOptions, type SettleResult } from './guard';
export { Reservation, type ReserveContext, type ReservationMeta } from './reservation';
export type { SpendEvent, SpendAlertEvent, ReservationExpiredEvent, SpendUnverifiedEvent, AlertThreshold } from './events';
export { ALERT_THRESHOLDS } from './events';
export type { LimitDetails } from './errors';
export { type CapWindow, type WindowBounds, computeWindow, WindowClock } from './windows';
export { usdToNanos, nanosToUsd, roundUsd } from './money';
export { SpendMetrics } from './metrics';
export { KEY_LIMIT_COLUMNS, keyLimitsFromRow, loadKeyLimits, setKeyLimits, validateKeyLimits, type KeyLimitRow } from './key-limits';
export { capCounterKey } from './plan';
export { spendAuditEvent } from './audit-events';
export { buildSpendReport, type SpendReport, type SpendReportEntry, type SpendReportOptions, type ReportLimit } from './report';
