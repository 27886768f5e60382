-- Policy lifecycle (issue #9): drafts reviewed by a second person before they are published,
-- custom Rego modules and OPA wasm policies per scope, rollback, shadow evaluation.
--
-- policy_data_versions stays the log of PUBLISHED versions (the highest version per scope is in
-- force); a published version now also carries the scope's custom Rego modules (`*_test.rego`
-- files included, never compiled into the live policy) or an OPA wasm policy.
ALTER TABLE policy_data_versions
  ADD COLUMN modules      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(modules) = 'array'),
  ADD COLUMN wasm         bytea,
  ADD COLUMN draft_id     bigint,
  ADD COLUMN rollback_of  integer,
  ADD COLUMN note         text;

CREATE TABLE policy_drafts (
  id                  bigserial PRIMARY KEY,
  org_id              uuid NOT NULL REFERENCES organisations(id) ON DELETE RESTRICT,
  workspace_id        uuid,
  base_version        integer NOT NULL CHECK (base_version >= 0),
  data                jsonb NOT NULL,
  modules             jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(modules) = 'array'),
  wasm                bytea,
  note                text,
  author_user_id      uuid,
  author_label        text NOT NULL,
  status              text NOT NULL DEFAULT 'draft'
                      CHECK (status IN ('draft', 'submitted', 'approved', 'published', 'rejected', 'withdrawn')),
  submitted_at        timestamptz,
  reviewed_by_user_id uuid,
  reviewed_by_label   text,
  reviewed_at         timestamptz,
  review_comment      text,
  published_version   integer,
  published_at        timestamptz,
  validation          jsonb,
  created_at          timestamptz NOT NULL DEFAULT now(),
  -- A workspace draft belongs to a workspace of the same organisation.
  FOREIGN KEY (workspace_id, org_id) REFERENCES workspaces (id, org_id) ON DELETE RESTRICT
);
CREATE INDEX policy_drafts_scope_idx
  ON policy_drafts (org_id, COALESCE(workspace_id, '00000000-0000-0000-0000-000000000000'::uuid), status, id DESC);

ALTER TABLE policy_data_versions
  ADD CONSTRAINT policy_data_versions_draft_fk FOREIGN KEY (draft_id) REFERENCES policy_drafts (id) ON DELETE RESTRICT;

-- Content is immutable once written; the status only moves forward:
--   draft → submitted → approved → published; draft|submitted → withdrawn; submitted → rejected.
CREATE FUNCTION policy_drafts_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'policy drafts are kept for the record; withdraw instead of deleting';
  END IF;
  IF NEW.org_id IS DISTINCT FROM OLD.org_id OR NEW.workspace_id IS DISTINCT FROM OLD.workspace_id
     OR NEW.base_version IS DISTINCT FROM OLD.base_version OR NEW.data IS DISTINCT FROM OLD.data
     OR NEW.modules IS DISTINCT FROM OLD.modules OR NEW.wasm IS DISTINCT FROM OLD.wasm
     OR NEW.note IS DISTINCT FROM OLD.note OR NEW.author_user_id IS DISTINCT FROM OLD.author_user_id
     OR NEW.author_label IS DISTINCT FROM OLD.author_label OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
    RAISE EXCEPTION 'the content of a policy draft is immutable; create a new draft instead';
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
       (OLD.status = 'draft' AND NEW.status IN ('submitted', 'withdrawn'))
    OR (OLD.status = 'submitted' AND NEW.status IN ('approved', 'rejected', 'withdrawn'))
    OR (OLD.status = 'approved' AND NEW.status = 'published')) THEN
    RAISE EXCEPTION 'a policy draft cannot move from % to %', OLD.status, NEW.status;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER policy_drafts_guard BEFORE UPDATE OR DELETE ON policy_drafts
  FOR EACH ROW EXECUTE FUNCTION policy_drafts_guard();

-- At most one draft evaluated in shadow per workspace (its decisions are compared, never enforced).
CREATE TABLE policy_shadows (
  workspace_id  uuid PRIMARY KEY,
  org_id        uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  draft_id      bigint NOT NULL REFERENCES policy_drafts (id) ON DELETE CASCADE,
  started_by    text NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (workspace_id, org_id) REFERENCES workspaces (id, org_id) ON DELETE CASCADE
);
