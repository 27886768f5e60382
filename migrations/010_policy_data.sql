-- Policy data of organisations (workspace_id NULL: the defaults every workspace inherits) and
-- workspaces. Every write is a new immutable version; the highest version is the one in force.
CREATE TABLE policy_data_versions (
  id            bigserial PRIMARY KEY,
  org_id        uuid NOT NULL REFERENCES organisations(id) ON DELETE RESTRICT,
  workspace_id  uuid REFERENCES workspaces(id) ON DELETE RESTRICT,
  version       integer NOT NULL CHECK (version > 0),
  data          jsonb NOT NULL,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX policy_data_versions_scope_idx
  ON policy_data_versions (org_id, COALESCE(workspace_id, '00000000-0000-0000-0000-000000000000'::uuid), version);

CREATE FUNCTION policy_data_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'policy data versions are immutable; write a new version instead';
END $$;
CREATE TRIGGER policy_data_versions_no_update BEFORE UPDATE OR DELETE ON policy_data_versions
  FOR EACH ROW EXECUTE FUNCTION policy_data_versions_immutable();

-- Secrets the gateway generates for itself (e.g. the key behind per-workspace PII hashing).
CREATE TABLE instance_secrets (
  name        text PRIMARY KEY,
  value       bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
