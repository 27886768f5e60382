-- Identity and admin access (issue #8): memberships and roles, SSO connections, group → role
-- mappings, console sessions, admin API tokens, SCIM provisioning and break-glass local admins.
--
-- Tenant isolation is enforced by the schema as well as by the queries: every row carries its
-- org_id, and composite foreign keys make it impossible to attach a user or a workspace of one
-- organisation to a row of another.

ALTER TABLE workspaces ADD CONSTRAINT workspaces_id_org_key UNIQUE (id, org_id);
ALTER TABLE users ADD CONSTRAINT users_id_org_key UNIQUE (id, org_id);

ALTER TABLE users
  ADD COLUMN active         boolean NOT NULL DEFAULT true,
  -- OIDC `sub` / SAML NameID of the user at the organisation's IdP.
  ADD COLUMN idp_subject    text,
  -- SCIM externalId (the IdP's own id for the user).
  ADD COLUMN external_id    text,
  -- Groups the IdP asserted at the last login (for display; roles are derived at login).
  ADD COLUMN idp_groups     text[] NOT NULL DEFAULT '{}',
  ADD COLUMN last_login_at  timestamptz,
  ADD COLUMN updated_at     timestamptz NOT NULL DEFAULT now();
CREATE UNIQUE INDEX users_org_subject_idx ON users (org_id, idp_subject) WHERE idp_subject IS NOT NULL;
CREATE UNIQUE INDEX users_org_external_idx ON users (org_id, external_id) WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX users_org_email_lower_idx ON users (org_id, lower(email));

-- user × workspace × role. `owner` is organisation-wide (workspace_id NULL); every other role is
-- held in one workspace. `source` says who granted it: an SSO login and SCIM recompute only their
-- own rows, so a role granted by hand survives a login and an IdP group removal revokes only
-- what the IdP granted.
CREATE TABLE memberships (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id        uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  workspace_id  uuid,
  user_id       uuid NOT NULL,
  role          text NOT NULL CHECK (role IN ('owner','admin','policy_author','policy_approver','auditor','developer')),
  source        text NOT NULL CHECK (source IN ('manual','sso','scim')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'owner') = (workspace_id IS NULL)),
  FOREIGN KEY (workspace_id, org_id) REFERENCES workspaces (id, org_id) ON DELETE CASCADE,
  FOREIGN KEY (user_id, org_id) REFERENCES users (id, org_id) ON DELETE CASCADE,
  UNIQUE NULLS NOT DISTINCT (user_id, workspace_id, role, source)
);
CREATE INDEX memberships_org_idx ON memberships (org_id, workspace_id);

-- One SSO connection per organisation. `settings` holds the non-secret configuration (issuer,
-- client id, IdP certificate, entry point …); the OIDC client secret is sealed with AES-256-GCM
-- under an instance key and never returned by the API.
CREATE TABLE sso_connections (
  org_id            uuid PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
  protocol          text NOT NULL CHECK (protocol IN ('oidc','saml')),
  settings          jsonb NOT NULL,
  secret_sealed     bytea,
  groups_attribute  text NOT NULL DEFAULT 'groups',
  jit               boolean NOT NULL DEFAULT true,
  enabled           boolean NOT NULL DEFAULT true,
  version           integer NOT NULL DEFAULT 1,
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Login by e-mail domain: a domain belongs to exactly one organisation.
CREATE TABLE sso_email_domains (
  domain  text PRIMARY KEY CHECK (domain ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'),
  org_id  uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE
);
CREATE INDEX sso_email_domains_org_idx ON sso_email_domains (org_id);

-- IdP group (SSO claim/attribute value or SCIM group displayName) → role in a workspace.
CREATE TABLE group_role_mappings (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id        uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  idp_group     text NOT NULL CHECK (length(idp_group) BETWEEN 1 AND 256),
  workspace_id  uuid,
  role          text NOT NULL CHECK (role IN ('owner','admin','policy_author','policy_approver','auditor','developer')),
  CHECK ((role = 'owner') = (workspace_id IS NULL)),
  FOREIGN KEY (workspace_id, org_id) REFERENCES workspaces (id, org_id) ON DELETE CASCADE,
  UNIQUE NULLS NOT DISTINCT (org_id, idp_group, workspace_id, role)
);

-- express-session store. user_key lets deprovisioning end every session of a user at once.
CREATE TABLE admin_sessions (
  sid         text PRIMARY KEY,
  sess        jsonb NOT NULL,
  user_key    text,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX admin_sessions_expiry_idx ON admin_sessions (expires_at);
CREATE INDEX admin_sessions_user_idx ON admin_sessions (user_key) WHERE user_key IS NOT NULL;

-- Break-glass local administrators (password: scrypt; optional TOTP secret, sealed). org_id NULL
-- is a platform administrator (may create organisations and edit the shared catalog).
CREATE TABLE local_admins (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username         text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
  org_id           uuid REFERENCES organisations(id) ON DELETE CASCADE,
  password_hash    text NOT NULL,
  totp_sealed      bytea,
  -- The last accepted TOTP step: a code is accepted once (RFC 6238 §5.2).
  totp_last_step   bigint,
  failed_attempts  integer NOT NULL DEFAULT 0,
  locked_until     timestamptz,
  disabled_at      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_login_at    timestamptz
);

-- Admin API tokens for automation: SHA-256 of a 285-bit random secret (like data-plane keys),
-- scoped; they act with the rights of the user who made them, narrowed to the scopes.
CREATE TABLE admin_tokens (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  user_id         uuid,
  local_admin_id  uuid REFERENCES local_admins(id) ON DELETE CASCADE,
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  lookup_id       text NOT NULL UNIQUE,
  token_hash      bytea NOT NULL,
  scopes          text[] NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz,
  revoked_at      timestamptz,
  last_used_at    timestamptz,
  CHECK ((user_id IS NULL) <> (local_admin_id IS NULL)),
  FOREIGN KEY (user_id, org_id) REFERENCES users (id, org_id) ON DELETE CASCADE
);
CREATE INDEX admin_tokens_org_idx ON admin_tokens (org_id);

-- SCIM 2.0 bearer tokens, one or more per organisation.
CREATE TABLE scim_tokens (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id        uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  name          text NOT NULL,
  lookup_id     text NOT NULL UNIQUE,
  token_hash    bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz,
  last_used_at  timestamptz
);

CREATE TABLE scim_groups (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id        uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 256),
  external_id   text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, display_name),
  UNIQUE (id, org_id)
);

CREATE TABLE scim_group_members (
  group_id  uuid NOT NULL,
  user_id   uuid NOT NULL,
  org_id    uuid NOT NULL,
  PRIMARY KEY (group_id, user_id),
  FOREIGN KEY (group_id, org_id) REFERENCES scim_groups (id, org_id) ON DELETE CASCADE,
  FOREIGN KEY (user_id, org_id) REFERENCES users (id, org_id) ON DELETE CASCADE
);
CREATE INDEX scim_group_members_user_idx ON scim_group_members (user_id);
