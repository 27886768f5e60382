import { createMongoAbility, subject as tagSubject, ForbiddenError, type MongoAbility, type RawRuleOf } from '@casl/ability';
import { ROLE_PERMISSIONS, SUBJECTS, SUBJECT_ACTIONS, type Action, type Permission, type Role, type SubjectName } from './roles';
import { scopeFilter, type AdminScope } from './scopes';

/** A role held by a principal: on an organisation (`owner`, workspaceId null) or in a workspace. */
export interface Grant {
  role: Role;
  orgId: string;
  workspaceId: string | null;
}

/** Who is acting on the admin plane, as the ability builder sees it. */
export interface Principal {
  kind: 'user' | 'local_admin';
  /** users.id or local_admins.id. */
  id: string;
  /** E-mail or break-glass user name (audit labels). */
  label: string;
  /** Home organisation; null for a platform administrator. */
  orgId: string | null;
  /** Break-glass administrator without an organisation: every action on every organisation. */
  platformAdmin: boolean;
  grants: readonly Grant[];
  /** Present when the request came with an admin API token: rights narrowed to its scopes. */
  token?: { id: string; scopes: readonly AdminScope[] };
}

/** Fields the conditions look at. Every admin object is described with these before a check. */
export interface SubjectFields {
  orgId: string | null;
  workspaceId?: string | null;
  /** Owner of the object (API key's user, admin token's creator). */
  userId?: string | null;
  [field: string]: unknown;
}

export type AppAbility = MongoAbility<[Action, SubjectName | ReturnType<typeof tagSubject<SubjectName, SubjectFields>>]>;
type Rule = RawRuleOf<AppAbility>;

function conditionsFor(permission: Permission, grant: Grant, principal: Principal): Array<Record<string, unknown>> {
  switch (permission.reach) {
    case 'org': return [{ orgId: grant.orgId }];
    case 'org-own': return [{ orgId: grant.orgId, userId: principal.id }];
    case 'org-or-shared': return [{ orgId: grant.orgId }, { orgId: null }];
    case 'workspace':
      // An org-level grant (owner) never has a workspace-reach permission; guard anyway.
      return grant.workspaceId ? [{ orgId: grant.orgId, workspaceId: grant.workspaceId }] : [];
    case 'own':
      return grant.workspaceId ? [{ orgId: grant.orgId, workspaceId: grant.workspaceId, userId: principal.id }] : [];
  }
}

/** The CASL rules of a principal: roles → permissions → conditioned rules, narrowed by token scopes. */
export function rulesFor(principal: Principal): Rule[] {
  const allowed = principal.token ? scopeFilter(principal.token.scopes) : () => true;
  const rules: Rule[] = [];
  const push = (actions: readonly Action[], subject: SubjectName, conditions?: Record<string, unknown>): void => {
    const kept = actions.filter((a) => allowed(subject, a));
    if (kept.length > 0) rules.push(conditions ? { action: [...kept], subject, conditions } : { action: [...kept], subject });
  };
  if (principal.platformAdmin) {
    for (const subject of SUBJECTS) push(SUBJECT_ACTIONS[subject], subject);
    return rules;
  }
  for (const grant of principal.grants) {
    for (const permission of ROLE_PERMISSIONS[grant.role]) {
      const actions = permission.actions === 'all' ? SUBJECT_ACTIONS[permission.subject] : permission.actions;
      for (const conditions of conditionsFor(permission, grant, principal)) push(actions, permission.subject, conditions);
    }
  }
  return rules;
}

export function abilityFor(principal: Principal): AppAbility {
  return createMongoAbility<AppAbility>(rulesFor(principal));
}

/** Tags a plain object as a subject for a check: `can(ability, 'read', 'ApiKey', {orgId, workspaceId, userId})`. */
export function asSubject(name: SubjectName, fields: SubjectFields): ReturnType<typeof tagSubject<SubjectName, SubjectFields>> {
  return tagSubject(name, { ...fields });
}

export function can(ability: AppAbility, action: Action, name: SubjectName, fields: SubjectFields): boolean {
  return ability.can(action, asSubject(name, fields));
}

/** Whether the principal may do `action` on at least one `name` (coarse check, e.g. to show a menu). */
export function canAny(ability: AppAbility, action: Action, name: SubjectName): boolean {
  return ability.can(action, name);
}

export class AccessDenied extends Error {
  constructor(readonly action: Action, readonly subjectName: SubjectName) {
    super(`not allowed to ${action} ${subjectName}`);
    this.name = 'AccessDenied';
  }
}

export function assertCan(ability: AppAbility, action: Action, name: SubjectName, fields: SubjectFields): void {
  if (!can(ability, action, name, fields)) throw new AccessDenied(action, name);
}

export { ForbiddenError };
