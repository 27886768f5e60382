-- Foundation: tenants, API keys, the provider catalog and the usage ledger.

CREATE TABLE organisations (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE workspaces (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      uuid NOT NULL REFERENCES organisations(id) ON DELETE RESTRICT,
  slug        text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, slug)
);

CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id        uuid NOT NULL REFERENCES organisations(id) ON DELETE RESTRICT,
  email         text NOT NULL,
  display_name  text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, email)
);

-- API keys are stored only as a SHA-256 hash. lookup_id is the short public part of the
-- key (shown in listings) used to find the row before the constant-time hash comparison.
CREATE TABLE api_keys (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES organisations(id) ON DELETE RESTRICT,
  workspace_id    uuid NOT NULL REFERENCES workspaces(id) ON DELETE RESTRICT,
  user_id         uuid REFERENCES users(id) ON DELETE SET NULL,
  name            text NOT NULL,
  lookup_id       text NOT NULL UNIQUE,
  key_hash        bytea NOT NULL,
  allowed_models  text[],
  metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz,
  revoked_at      timestamptz,
  last_used_at    timestamptz
);
CREATE INDEX api_keys_workspace_idx ON api_keys (workspace_id);

-- The provider catalog. Governance attributes are NULL when unknown: a NULL never
-- counts as compliant. credentials_ref names where the secret lives (e.g. env:OPENAI_API_KEY);
-- the secret itself is never stored here.
CREATE TABLE catalog_endpoints (
  id                   text PRIMARY KEY CHECK (id ~ '^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$'),
  org_id               uuid REFERENCES organisations(id) ON DELETE CASCADE,
  provider             text NOT NULL CHECK (provider IN ('openai','openai_compatible','anthropic','gemini','azure_openai')),
  display_name         text NOT NULL,
  base_url             text NOT NULL,
  credentials_ref      text,
  headers              jsonb NOT NULL DEFAULT '{}'::jsonb,
  azure_api_version    text,
  jurisdiction         text CHECK (jurisdiction ~ '^[A-Z]{2}$'),
  data_regions         text[],
  zero_data_retention  boolean,
  trains_on_data       boolean,
  retention_days       integer,
  certifications       text[],
  priority             integer NOT NULL DEFAULT 100,
  enabled              boolean NOT NULL DEFAULT true,
  timeouts             jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE catalog_models (
  endpoint_id            text NOT NULL REFERENCES catalog_endpoints(id) ON DELETE CASCADE,
  model                  text NOT NULL,
  upstream_model         text NOT NULL,
  kind                   text NOT NULL CHECK (kind IN ('chat','embeddings')),
  input_per_mtok         numeric(14,6),
  cached_input_per_mtok  numeric(14,6),
  output_per_mtok        numeric(14,6),
  context_tokens         integer,
  max_output_tokens      integer,
  PRIMARY KEY (endpoint_id, model)
);
CREATE INDEX catalog_models_model_idx ON catalog_models (model);

-- One row per data-plane request that reached routing (the audit log of #7 is separate).
CREATE TABLE usage_records (
  id                 bigserial PRIMARY KEY,
  request_id         text NOT NULL,
  org_id             uuid NOT NULL,
  workspace_id       uuid NOT NULL,
  api_key_id         uuid,
  route              text NOT NULL,
  model              text NOT NULL,
  endpoint_id        text,
  status             integer NOT NULL,
  stream             boolean NOT NULL DEFAULT false,
  prompt_tokens      integer NOT NULL DEFAULT 0,
  completion_tokens  integer NOT NULL DEFAULT 0,
  cached_tokens      integer NOT NULL DEFAULT 0,
  cost_usd           numeric(18,8) NOT NULL DEFAULT 0,
  latency_ms         integer NOT NULL DEFAULT 0,
  error_code         text,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX usage_records_workspace_time_idx ON usage_records (workspace_id, created_at);
CREATE INDEX usage_records_key_time_idx ON usage_records (api_key_id, created_at);
