/**
 * Authorisation: roles as data (roles.ts), CASL abilities built from a principal's grants with
 * conditions on organisation/workspace/user ids (ability.ts), admin token scopes (scopes.ts).
 * Every admin route checks a concrete object with `assertCan`; queries are scoped to the same ids.
 */
export { ROLES, WORKSPACE_ROLES, SUBJECTS, ACTIONS, SUBJECT_ACTIONS, ROLE_PERMISSIONS, isRole } from './roles';
export type { Role, SubjectName, Action, Permission, Reach } from './roles';
export { ADMIN_SCOPES, SCOPE_GRANTS, isAdminScope, scopeFilter, type AdminScope } from './scopes';
export { abilityFor, rulesFor, can, canAny, assertCan, asSubject, AccessDenied } from './ability';
export type { AppAbility, Grant, Principal, SubjectFields } from './ability';
