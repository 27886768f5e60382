import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../../logger';
import {
  findScimTokenByLookup, findUser, findUserByEmail, inTransaction, isEmail, listUsers, normaliseEmail, setUserActive,
  tokenLookupId, tokenMatches, touchScimToken, type UserRecord,
} from '../../identity';
import type { AuditSink } from '../audit';
import type { AdminDeps } from '../routes/table';
import { UUID } from '../routes/table';
import { deactivateUser } from '../routes/tenants';
import {
  ERROR_SCHEMA, GROUP_SCHEMA, LIST_SCHEMA, PATCH_SCHEMA, ScimError, USER_SCHEMA, loadGroups, parseEqFilter, scimGroup, scimUser, syncScimGrants,
} from './resources';

const SCIM_BASE = '/scim/v2';
const MAX_PAGE = 200;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const actor = (tokenId: string) => ({ type: 'system' as const, id: `scim:${tokenId}`, label: 'SCIM provisioning' });

function send(res: Response, status: number, body: unknown): void {
  res.status(status).type('application/scim+json').send(JSON.stringify(body));
}

function page<T>(req: Request, items: T[], render: (item: T) => Json): Json {
  const start = Math.max(1, Number.parseInt(String(req.query.startIndex ?? '1'), 10) || 1);
  const count = Math.min(MAX_PAGE, Math.max(0, Number.parseInt(String(req.query.count ?? MAX_PAGE), 10) || 0));
  const slice = items.slice(start - 1, start - 1 + count);
  return { schemas: [LIST_SCHEMA], totalResults: items.length, startIndex: start, itemsPerPage: slice.length, Resources: slice.map(render) };
}

/** The user fields a SCIM body sets; missing fields are left as they are (PUT sends them all). */
interface UserFields { email?: string; displayName?: string | null; externalId?: string | null; active?: boolean }

function userFieldsFrom(body: Json): UserFields {
  const fields: UserFields = {};
  const primaryEmail = Array.isArray(body.emails) ? (body.emails.find((e) => isObject(e) && e.primary) ?? body.emails[0]) : undefined;
  const email = typeof body.userName === 'string' && isEmail(body.userName) ? body.userName
    : isObject(primaryEmail) && typeof primaryEmail.value === 'string' ? primaryEmail.value : undefined;
  if (body.userName !== undefined || body.emails !== undefined) {
    if (!email || !isEmail(email)) throw new ScimError(400, 'userName (or a primary emails value) must be an e-mail address', 'invalidValue');
    fields.email = normaliseEmail(email);
  }
  if (typeof body.displayName === 'string') fields.displayName = body.displayName.slice(0, 200);
  else if (isObject(body.name)) {
    const n = body.name;
    const formatted = typeof n.formatted === 'string' ? n.formatted : [n.givenName, n.familyName].filter((x) => typeof x === 'string').join(' ');
    if (formatted) fields.displayName = formatted.slice(0, 200);
  }
  if (body.externalId !== undefined) fields.externalId = typeof body.externalId === 'string' ? body.externalId.slice(0, 500) : null;
  if (body.active !== undefined) {
    if (typeof body.active !== 'boolean' && body.active !== 'true' && body.active !== 'false') throw new ScimError(400, 'active must be a boolean', 'invalidValue');
    fields.active = body.active === true || body.active === 'true';
  }
  return fields;
}

/** PATCH operations on a user → the same fields (Okta and Entra ID shapes: with and without `path`). */
function userFieldsFromPatch(body: Json): UserFields {
  if (!Array.isArray(body.schemas) || !body.schemas.includes(PATCH_SCHEMA) || !Array.isArray(body.Operations)) throw new ScimError(400, 'a PatchOp body is expected', 'invalidSyntax');
  const merged: Json = {};
  for (const op of body.Operations) {
    if (!isObject(op) || typeof op.op !== 'string' || !['add', 'replace'].includes(op.op.toLowerCase())) throw new ScimError(400, 'only add/replace operations are supported on users', 'invalidSyntax');
    if (typeof op.path === 'string') {
      const path = op.path;
      if (path === 'name.formatted' || path === 'name.givenName' || path === 'name.familyName') {
        merged.name = { ...(isObject(merged.name) ? merged.name : {}), [path.slice(5)]: op.value };
      } else if (/^emails(\[.*\])?(\.value)?$/.test(path)) merged.emails = [{ value: Array.isArray(op.value) && isObject(op.value[0]) ? op.value[0].value : op.value, primary: true }];
      else merged[path] = op.value;
    } else if (isObject(op.value)) Object.assign(merged, op.value);
  }
  return userFieldsFrom(merged);
}

export interface ScimRouterDeps {
  deps: AdminDeps;
  audit: AuditSink;
  logger: Logger;
}

/** SCIM 2.0 Users and Groups for one organisation per bearer token (`ghs_…`). */
export function createScimRouter({ deps, audit, logger }: ScimRouterDeps): Router {
  const router = Router();
  router.use(SCIM_BASE, express.json({ type: ['application/json', 'application/scim+json'], limit: '1mb' }));

  router.use(SCIM_BASE, (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      const lookup = match ? tokenLookupId('ghs_', match[1]) : null;
      const token = lookup ? await findScimTokenByLookup(deps.pool, lookup) : null;
      if (!token || !tokenMatches(match![1], token.tokenHash) || token.revokedAt) throw new ScimError(401, 'a valid SCIM bearer token is required');
      await touchScimToken(deps.pool, token.id).catch(() => undefined);
      res.locals.scim = { orgId: token.orgId, tokenId: token.id };
    })().then(() => next(), next);
  });

  const wrap = (fn: (req: Request, res: Response, orgId: string, tokenId: string) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction) => {
      const { orgId, tokenId } = res.locals.scim as { orgId: string; tokenId: string };
      fn(req, res, orgId, tokenId).catch(next);
    };
  const userOr404 = async (orgId: string, id: string): Promise<UserRecord> => {
    const user = UUID.test(id) ? await findUser(deps.pool, orgId, id.toLowerCase()) : null;
    if (!user) throw new ScimError(404, `User ${id} not found`);
    return user;
  };

  router.get(`${SCIM_BASE}/ServiceProviderConfig`, (_req, res) => send(res, 200, {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    patch: { supported: true }, bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 }, filter: { supported: true, maxResults: MAX_PAGE },
    changePassword: { supported: false }, sort: { supported: false }, etag: { supported: false },
    authenticationSchemes: [{ type: 'oauthbearertoken', name: 'Bearer token', description: 'Per-organisation SCIM token (ghs_…)' }],
  }));
  router.get(`${SCIM_BASE}/ResourceTypes`, (_req, res) => send(res, 200, {
    schemas: [LIST_SCHEMA], totalResults: 2, startIndex: 1, itemsPerPage: 2,
    Resources: [
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'User', name: 'User', endpoint: '/Users', schema: USER_SCHEMA },
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'Group', name: 'Group', endpoint: '/Groups', schema: GROUP_SCHEMA },
    ],
  }));

  router.get(`${SCIM_BASE}/Users`, wrap(async (req, res, orgId) => {
    const filter = parseEqFilter(req.query.filter, ['userName', 'externalId', 'emails.value']);
    let users = await listUsers(deps.pool, orgId);
    if (filter) {
      const v = filter.value;
      users = users.filter((u) => (filter.attribute === 'externalId' ? u.externalId === v : u.email === normaliseEmail(v)));
    }
    send(res, 200, page(req, users, (u) => scimUser(u, SCIM_BASE)));
  }));
  router.get(`${SCIM_BASE}/Users/:id`, wrap(async (req, res, orgId) => send(res, 200, scimUser(await userOr404(orgId, String(req.params.id)), SCIM_BASE))));

  const applyUser = async (orgId: string, tokenId: string, user: UserRecord, fields: UserFields): Promise<UserRecord> => {
    if (fields.email && fields.email !== user.email) {
      const clash = await findUserByEmail(deps.pool, orgId, fields.email);
      if (clash && clash.id !== user.id) throw new ScimError(409, 'userName already exists', 'uniqueness');
    }
    await deps.pool.query(
      `UPDATE users SET email = COALESCE($3, email), display_name = CASE WHEN $4 THEN $5 ELSE display_name END,
          external_id = CASE WHEN $6 THEN $7 ELSE external_id END, updated_at = now() WHERE org_id = $1 AND id = $2`,
      [orgId, user.id, fields.email ?? null, fields.displayName !== undefined, fields.displayName ?? null, fields.externalId !== undefined, fields.externalId ?? null]);
    if (fields.active === false && user.active) {
      const { revokedKeys } = await deactivateUser(deps, orgId, user.id);
      await audit.emit({ type: 'member.deactivated', orgId, actor: actor(tokenId), target: { type: 'user', id: user.id, label: user.email }, details: { via: 'scim', revoked_keys: revokedKeys } });
    } else if (fields.active === true && !user.active) {
      await setUserActive(deps.pool, orgId, user.id, true);
      await audit.emit({ type: 'member.activated', orgId, actor: actor(tokenId), target: { type: 'user', id: user.id, label: user.email }, details: { via: 'scim' } });
    }
    return (await findUser(deps.pool, orgId, user.id))!;
  };

  router.post(`${SCIM_BASE}/Users`, wrap(async (req, res, orgId, tokenId) => {
    if (!isObject(req.body)) throw new ScimError(400, 'a JSON object is expected', 'invalidSyntax');
    const fields = userFieldsFrom(req.body);
    if (!fields.email) throw new ScimError(400, 'userName is required', 'invalidValue');
    if (await findUserByEmail(deps.pool, orgId, fields.email)) throw new ScimError(409, 'userName already exists', 'uniqueness');
    const { rows } = await deps.pool.query<{ id: string }>(
      'INSERT INTO users (org_id, email, display_name, external_id, active) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [orgId, fields.email, fields.displayName ?? null, fields.externalId ?? null, fields.active ?? true]);
    const user = (await findUser(deps.pool, orgId, rows[0].id))!;
    await audit.emit({ type: 'member.provisioned', orgId, actor: actor(tokenId), target: { type: 'user', id: user.id, label: user.email }, details: { via: 'scim' } });
    send(res, 201, scimUser(user, SCIM_BASE));
  }));
  router.put(`${SCIM_BASE}/Users/:id`, wrap(async (req, res, orgId, tokenId) => {
    const user = await userOr404(orgId, String(req.params.id));
    if (!isObject(req.body)) throw new ScimError(400, 'a JSON object is expected', 'invalidSyntax');
    // PUT replaces: an omitted `active` means active (RFC 7643 default).
    send(res, 200, scimUser(await applyUser(orgId, tokenId, user, { active: true, displayName: null, externalId: null, ...userFieldsFrom(req.body) }), SCIM_BASE));
  }));
  router.patch(`${SCIM_BASE}/Users/:id`, wrap(async (req, res, orgId, tokenId) => {
    const user = await userOr404(orgId, String(req.params.id));
    if (!isObject(req.body)) throw new ScimError(400, 'a JSON object is expected', 'invalidSyntax');
    send(res, 200, scimUser(await applyUser(orgId, tokenId, user, userFieldsFromPatch(req.body)), SCIM_BASE));
  }));
  router.delete(`${SCIM_BASE}/Users/:id`, wrap(async (req, res, orgId, tokenId) => {
    const user = await userOr404(orgId, String(req.params.id));
    const { revokedKeys } = await deactivateUser(deps, orgId, user.id);
    await deps.pool.query('DELETE FROM users WHERE org_id = $1 AND id = $2', [orgId, user.id]);
    await audit.emit({ type: 'member.deprovisioned', orgId, actor: actor(tokenId), target: { type: 'user', id: user.id, label: user.email }, details: { via: 'scim', revoked_keys: revokedKeys } });
    res.status(204).end();
  }));

  // --- Groups ---
  const groupOr404 = async (orgId: string, id: string) => {
    const [group] = UUID.test(id) ? await loadGroups(deps.pool, orgId, { id: id.toLowerCase() }) : [];
    if (!group) throw new ScimError(404, `Group ${id} not found`);
    return group;
  };
  const memberIds = async (orgId: string, value: unknown): Promise<string[]> => {
    if (value === undefined || value === null) return [];
    const list = Array.isArray(value) ? value : [value];
    const ids = list.map((m) => (isObject(m) && typeof m.value === 'string' ? m.value.toLowerCase() : ''));
    if (ids.some((id) => !UUID.test(id))) throw new ScimError(400, 'members must be [{ "value": "<user id>" }]', 'invalidValue');
    const { rows } = await deps.pool.query<{ id: string }>('SELECT id FROM users WHERE org_id = $1 AND id = ANY($2::uuid[])', [orgId, ids]);
    if (rows.length !== new Set(ids).size) throw new ScimError(400, 'a member is not a user of this organisation', 'invalidValue');
    return [...new Set(ids)];
  };
  const writeGroup = async (orgId: string, tokenId: string, groupId: string | null, change: { displayName?: string; externalId?: string | null; set?: string[]; add?: string[]; remove?: string[] }) => {
    return inTransaction(deps.pool, async (client) => {
      let id = groupId;
      if (id === null) {
        const { rows } = await client.query<{ id: string }>('INSERT INTO scim_groups (org_id, display_name, external_id) VALUES ($1, $2, $3) RETURNING id', [orgId, change.displayName, change.externalId ?? null]);
        id = rows[0].id;
      } else {
        await client.query(
          `UPDATE scim_groups SET display_name = COALESCE($3, display_name), external_id = CASE WHEN $4 THEN $5 ELSE external_id END, updated_at = now()
            WHERE org_id = $1 AND id = $2`, [orgId, id, change.displayName ?? null, change.externalId !== undefined, change.externalId ?? null]);
      }
      const { rows: before } = await client.query<{ user_id: string }>('SELECT user_id FROM scim_group_members WHERE group_id = $1', [id]);
      const affected = new Set(before.map((r) => r.user_id));
      if (change.set) await client.query('DELETE FROM scim_group_members WHERE group_id = $1', [id]);
      if (change.remove?.length) await client.query('DELETE FROM scim_group_members WHERE group_id = $1 AND user_id = ANY($2::uuid[])', [id, change.remove]);
      for (const userId of [...(change.set ?? []), ...(change.add ?? [])]) {
        await client.query('INSERT INTO scim_group_members (group_id, user_id, org_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [id, userId, orgId]);
        affected.add(userId);
      }
      // A renamed group maps to other roles, so every member before and after is recomputed.
      await syncScimGrants(client, orgId, affected);
      return id;
    }).then(async (id) => {
      await audit.emit({ type: 'member.group_changed', orgId, actor: actor(tokenId), target: { type: 'scim_group', id, label: change.displayName }, details: { via: 'scim', added: change.add?.length ?? change.set?.length ?? 0, removed: change.remove?.length ?? 0 } });
      return id;
    });
  };

  router.get(`${SCIM_BASE}/Groups`, wrap(async (req, res, orgId) => {
    const filter = parseEqFilter(req.query.filter, ['displayName', 'externalId']);
    const groups = await loadGroups(deps.pool, orgId, filter ? { [filter.attribute]: filter.value } : {});
    send(res, 200, page(req, groups, (g) => scimGroup(g, SCIM_BASE)));
  }));
  router.get(`${SCIM_BASE}/Groups/:id`, wrap(async (req, res, orgId) => send(res, 200, scimGroup(await groupOr404(orgId, String(req.params.id)), SCIM_BASE))));
  router.post(`${SCIM_BASE}/Groups`, wrap(async (req, res, orgId, tokenId) => {
    const body = req.body as Json;
    if (!isObject(body) || typeof body.displayName !== 'string' || !body.displayName || body.displayName.length > 256) throw new ScimError(400, 'displayName is required', 'invalidValue');
    if ((await loadGroups(deps.pool, orgId, { displayName: body.displayName })).length) throw new ScimError(409, 'a group with this displayName exists', 'uniqueness');
    const id = await writeGroup(orgId, tokenId, null, { displayName: body.displayName, externalId: typeof body.externalId === 'string' ? body.externalId : null, set: await memberIds(orgId, body.members) });
    send(res, 201, scimGroup(await groupOr404(orgId, id), SCIM_BASE));
  }));
  router.put(`${SCIM_BASE}/Groups/:id`, wrap(async (req, res, orgId, tokenId) => {
    const group = await groupOr404(orgId, String(req.params.id));
    const body = req.body as Json;
    if (!isObject(body) || typeof body.displayName !== 'string' || !body.displayName) throw new ScimError(400, 'displayName is required', 'invalidValue');
    await writeGroup(orgId, tokenId, group.id, { displayName: body.displayName, externalId: typeof body.externalId === 'string' ? body.externalId : null, set: await memberIds(orgId, body.members) });
    send(res, 200, scimGroup(await groupOr404(orgId, group.id), SCIM_BASE));
  }));
  router.patch(`${SCIM_BASE}/Groups/:id`, wrap(async (req, res, orgId, tokenId) => {
    const group = await groupOr404(orgId, String(req.params.id));
    const body = req.body as Json;
    if (!isObject(body) || !Array.isArray(body.schemas) || !body.schemas.includes(PATCH_SCHEMA) || !Array.isArray(body.Operations)) throw new ScimError(400, 'a PatchOp body is expected', 'invalidSyntax');
    const change: { displayName?: string; externalId?: string | null; set?: string[]; add: string[]; remove: string[] } = { add: [], remove: [] };
    for (const op of body.Operations) {
      if (!isObject(op) || typeof op.op !== 'string') throw new ScimError(400, 'each operation needs an op', 'invalidSyntax');
      const kind = op.op.toLowerCase();
      const path = typeof op.path === 'string' ? op.path : undefined;
      const filtered = path ? /^members\[value eq "([^"]+)"\]$/i.exec(path) : null;
      if (kind === 'remove' && filtered) change.remove.push(filtered[1].toLowerCase());
      else if (kind === 'remove' && path === 'members') {
        if (op.value === undefined) change.set = [];
        else change.remove.push(...(await memberIds(orgId, op.value)));
      } else if (kind === 'add' && path === 'members') change.add.push(...(await memberIds(orgId, op.value)));
      else if (kind === 'replace' && path === 'members') change.set = await memberIds(orgId, op.value);
      else if ((kind === 'replace' || kind === 'add') && (path === 'displayName' || path === 'externalId') && typeof op.value === 'string') change[path] = op.value;
      else if ((kind === 'replace' || kind === 'add') && !path && isObject(op.value)) {
        if (typeof op.value.displayName === 'string') change.displayName = op.value.displayName;
        if (op.value.members !== undefined) change.set = await memberIds(orgId, op.value.members);
      } else throw new ScimError(400, `unsupported operation ${kind} ${path ?? ''}`.trim(), 'invalidPath');
    }
    if (change.displayName && change.displayName !== group.displayName && (await loadGroups(deps.pool, orgId, { displayName: change.displayName })).length) {
      throw new ScimError(409, 'a group with this displayName exists', 'uniqueness');
    }
    await writeGroup(orgId, tokenId, group.id, change);
    send(res, 200, scimGroup(await groupOr404(orgId, group.id), SCIM_BASE));
  }));
  router.delete(`${SCIM_BASE}/Groups/:id`, wrap(async (req, res, orgId, tokenId) => {
    const group = await groupOr404(orgId, String(req.params.id));
    await inTransaction(deps.pool, async (client) => {
      await client.query('DELETE FROM scim_groups WHERE org_id = $1 AND id = $2', [orgId, group.id]);
      await syncScimGrants(client, orgId, group.members.map((m) => m.id));
    });
    await audit.emit({ type: 'member.group_changed', orgId, actor: actor(tokenId), target: { type: 'scim_group', id: group.id, label: group.displayName }, details: { via: 'scim', deleted: true } });
    res.status(204).end();
  }));

  router.use(SCIM_BASE, (req: Request, _res: Response, next: NextFunction) => next(new ScimError(404, `no such SCIM endpoint: ${req.method} ${req.path}`)));
  router.use(SCIM_BASE, (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let status = 500, detail = 'internal error', scimType: string | undefined;
    if (err instanceof ScimError) ({ status, message: detail, scimType } = err);
    else if ((err as { type?: string }).type === 'entity.parse.failed') { status = 400; detail = 'the body is not valid JSON'; scimType = 'invalidSyntax'; }
    else if ((err as { code?: string }).code === '23505') { status = 409; detail = 'uniqueness violation'; scimType = 'uniqueness'; }
    else logger.error({ err, path: req.path }, 'SCIM request failed');
    send(res, status, { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail });
  });
  return router;
}
