-- Spend caps and rate limits (issue #6).
--
-- Limits stored on an API key (set by `gatehouse keys create --budget-usd ... --rpm ...`).
-- NULL means "no limit of this kind on the key" (workspace policy data may still set some).
ALTER TABLE api_keys
  ADD COLUMN budget_usd     numeric(14,6) CHECK (budget_usd IS NULL OR budget_usd >= 0),
  ADD COLUMN budget_window  text CHECK (budget_window IS NULL OR budget_window IN ('day','week','month','total')),
  ADD COLUMN budget_tokens  bigint CHECK (budget_tokens IS NULL OR budget_tokens >= 0),
  ADD COLUMN rpm            integer CHECK (rpm IS NULL OR rpm > 0),
  ADD COLUMN tpm            integer CHECK (tpm IS NULL OR tpm > 0),
  ADD COLUMN max_parallel   integer CHECK (max_parallel IS NULL OR max_parallel > 0);

-- The ledger is the source of truth the Redis counters are rebuilt from, so it carries every
-- dimension a cap can be scoped to (user, tags) and the link to the reservation and decision.
-- created_at is stamped by the gateway at settlement (not at the batched insert), so a rebuild
-- can tell rows already counted in Redis from rows that were not.
ALTER TABLE usage_records
  ADD COLUMN user_id             uuid,
  ADD COLUMN tags                text[],
  ADD COLUMN decision_id         text,
  ADD COLUMN reservation_id      text,
  ADD COLUMN estimated_cost_usd  numeric(18,8);

CREATE INDEX usage_records_user_time_idx ON usage_records (user_id, created_at) WHERE user_id IS NOT NULL;
CREATE INDEX usage_records_tags_idx ON usage_records USING gin (tags) WHERE tags IS NOT NULL;
