-- The immutable audit log (#7): one hash chain per organisation, append-only by trigger,
-- signed checkpoints and seals, encrypted content kept apart from the chain.

-- One row per event. body is the RFC 8785 canonical JSON that was hashed; the other columns
-- are copies for search and are checked against body by `gatehouse audit verify`.
-- hash = SHA-256(prev_hash || body); seq counts from 1 per org without gaps.
-- No foreign keys: the log must outlive the organisations, keys and users it mentions.
CREATE TABLE audit_events (
  org_id        uuid        NOT NULL,
  seq           bigint      NOT NULL CHECK (seq > 0),
  id            uuid        NOT NULL UNIQUE,
  occurred_at   timestamptz NOT NULL,
  recorded_at   timestamptz NOT NULL DEFAULT now(),
  type          text COLLATE "C" NOT NULL,
  workspace_id  uuid,
  actor_type    text        NOT NULL,
  actor_id      text COLLATE "C" NOT NULL,
  outcome       text,
  body          text        NOT NULL,
  prev_hash     bytea       NOT NULL CHECK (octet_length(prev_hash) = 32),
  hash          bytea       NOT NULL CHECK (octet_length(hash) = 32),
  PRIMARY KEY (org_id, seq)
);
CREATE INDEX audit_events_time_idx ON audit_events (org_id, occurred_at);
CREATE INDEX audit_events_type_idx ON audit_events (org_id, type, seq);
CREATE INDEX audit_events_workspace_idx ON audit_events (org_id, workspace_id, seq);
CREATE INDEX audit_events_actor_idx ON audit_events (org_id, actor_id, seq);

-- Encrypted prompt/answer text (only when obligations allow it). Deletable: the chain holds
-- only the blob's SHA-256, so erasing content never breaks verification.
CREATE TABLE audit_contents (
  event_id    uuid PRIMARY KEY,
  org_id      uuid NOT NULL,
  key_id      text NOT NULL,
  blob        bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Public halves of the Ed25519 keys that signed checkpoints/seals (informational: verifiers
-- should pin the key with --public-key rather than trust this table).
CREATE TABLE audit_signing_keys (
  key_id      text PRIMARY KEY,
  public_key  text NOT NULL,
  algorithm   text NOT NULL DEFAULT 'ed25519',
  first_seen  timestamptz NOT NULL DEFAULT now()
);

-- Signed chain heads. signed_at is kept as the exact text that was signed.
CREATE TABLE audit_checkpoints (
  id         bigserial PRIMARY KEY,
  org_id     uuid   NOT NULL,
  seq        bigint NOT NULL,
  hash       bytea  NOT NULL CHECK (octet_length(hash) = 32),
  signed_at  text   NOT NULL,
  key_id     text   NOT NULL,
  signature  text   NOT NULL
);
CREATE INDEX audit_checkpoints_org_seq_idx ON audit_checkpoints (org_id, seq);

-- Seal-and-archive: a signed record that rows first_seq..last_seq were exported (file digest)
-- before they left the live table. The chain continues from last_hash.
CREATE TABLE audit_seals (
  id              uuid PRIMARY KEY,
  org_id          uuid   NOT NULL,
  first_seq       bigint NOT NULL,
  last_seq        bigint NOT NULL,
  first_prev_hash bytea  NOT NULL,
  last_hash       bytea  NOT NULL,
  event_count     bigint NOT NULL,
  archive_name    text   NOT NULL,
  archive_sha256  text   NOT NULL,
  sealed_at       text   NOT NULL,
  key_id          text   NOT NULL,
  signature       text   NOT NULL,
  CHECK (last_seq >= first_seq)
);
CREATE INDEX audit_seals_org_idx ON audit_seals (org_id, last_seq);

-- Background export jobs (status only; the files are written by the export worker).
CREATE TABLE audit_exports (
  id            uuid PRIMARY KEY,
  org_id        uuid,
  requested_by  text NOT NULL,
  format        text NOT NULL CHECK (format IN ('jsonl', 'csv', 'ocsf')),
  filter        jsonb NOT NULL,
  status        text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
  progress      real NOT NULL DEFAULT 0,
  file_path     text,
  manifest      jsonb,
  error         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);

-- Immutability. UPDATE and TRUNCATE are always refused; DELETE only inside
-- audit_purge_sealed() and only for rows a seal covers.
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE FUNCTION audit_events_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE'
     AND current_setting('gatehouse.audit_purge', true) = 'on'
     AND EXISTS (SELECT 1 FROM audit_seals s
                  WHERE s.org_id = OLD.org_id AND OLD.seq BETWEEN s.first_seq AND s.last_seq) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit log is append-only: % on audit_events refused (org %, seq %)', TG_OP, OLD.org_id, OLD.seq
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_events_immutable BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_guard();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoints_immutable BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_seals_immutable BEFORE UPDATE OR DELETE ON audit_seals
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON audit_seals
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_signing_keys_immutable BEFORE UPDATE OR DELETE ON audit_signing_keys
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();

-- The only way rows leave the live table: after `gatehouse audit seal` exported, signed and
-- recorded the seal. Runs with the owner's rights; nobody else may call it.
CREATE FUNCTION audit_purge_sealed(p_seal uuid) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  s audit_seals%ROWTYPE;
  n bigint;
BEGIN
  SELECT * INTO s FROM audit_seals WHERE id = p_seal;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no audit seal %', p_seal;
  END IF;
  PERFORM set_config('gatehouse.audit_purge', 'on', true);
  DELETE FROM audit_events WHERE org_id = s.org_id AND seq BETWEEN s.first_seq AND s.last_seq;
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('gatehouse.audit_purge', 'off', true);
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION audit_purge_sealed(uuid) FROM PUBLIC;

-- Roles (cluster-wide, so created only when missing; skipped with a notice when the migrating
-- user may not create roles). gatehouse_app: what the gateway needs — INSERT/SELECT only on
-- the audit tables. gatehouse_auditor: read-only on the audit tables. Log in as a member:
--   CREATE ROLE gatehouse_svc LOGIN PASSWORD '…' IN ROLE gatehouse_app;
-- (see src/audit/README.md).
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['gatehouse_app', 'gatehouse_auditor'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', r);
      EXCEPTION
        WHEN duplicate_object OR unique_violation THEN NULL; -- created concurrently
        WHEN insufficient_privilege THEN RAISE NOTICE 'cannot create role %: create it as a superuser', r;
      END;
    END IF;
  END LOOP;

  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gatehouse_app') THEN
    -- The rest of the schema (earlier and later migrations) is ordinary read/write data.
    GRANT USAGE ON SCHEMA public TO gatehouse_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO gatehouse_app;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO gatehouse_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO gatehouse_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO gatehouse_app;
    -- …except the audit tables, which are append-only for the app.
    REVOKE ALL ON audit_events, audit_checkpoints, audit_seals, audit_signing_keys, audit_contents, audit_exports,
      schema_migrations FROM gatehouse_app;
    GRANT SELECT, INSERT ON audit_events, audit_checkpoints, audit_seals, audit_signing_keys TO gatehouse_app;
    GRANT SELECT, INSERT, DELETE ON audit_contents TO gatehouse_app;
    GRANT SELECT, INSERT, UPDATE ON audit_exports TO gatehouse_app;
    GRANT SELECT ON schema_migrations TO gatehouse_app;
  END IF;

  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gatehouse_auditor') THEN
    GRANT USAGE ON SCHEMA public TO gatehouse_auditor;
    GRANT SELECT ON audit_events, audit_checkpoints, audit_seals, audit_signing_keys TO gatehouse_auditor;
  END IF;
END $$;
