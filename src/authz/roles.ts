/**
 * Roles and what each may do, as data. `owner` is held on an organisation; every other role is
 * held in one workspace. The ability builder (ability.ts) turns this table into CASL rules whose
 * conditions pin every permission to the organisation/workspace (and, for "own" rows, the user).
 */

export const ROLES = ['owner', 'admin', 'policy_author', 'policy_approver', 'auditor', 'developer'] as const;
export type Role = (typeof ROLES)[number];
export const WORKSPACE_ROLES: readonly Role[] = ROLES.filter((r) => r !== 'owner');

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export const SUBJECTS = [
  'Organisation', 'Workspace', 'Member', 'User', 'SsoConnection', 'ScimToken', 'AdminToken',
  'ApiKey', 'CatalogEndpoint', 'Spend', 'AuditLog', 'Policy',
] as const;
export type SubjectName = (typeof SUBJECTS)[number];

export const ACTIONS = ['read', 'create', 'update', 'delete', 'export', 'approve', 'publish'] as const;
export type Action = (typeof ACTIONS)[number];

/** The actions that exist on each subject (a rule never names an action its subject lacks). */
export const SUBJECT_ACTIONS: Readonly<Record<SubjectName, readonly Action[]>> = {
  Organisation: ['read', 'create', 'update'],
  Workspace: ['read', 'create', 'update'],
  Member: ['read', 'create', 'delete'],
  User: ['read', 'update'],
  SsoConnection: ['read', 'update', 'delete'],
  ScimToken: ['read', 'create', 'delete'],
  AdminToken: ['read', 'create', 'delete'],
  ApiKey: ['read', 'create', 'update', 'delete'],
  CatalogEndpoint: ['read', 'update', 'delete'],
  Spend: ['read'],
  AuditLog: ['read', 'export'],
  Policy: ['read', 'create', 'update', 'approve', 'publish'],
};

/**
 * Where a grant applies:
 * - `org`: anything of the grant's organisation;
 * - `workspace`: the grant's workspace;
 * - `own`: the grant's workspace, and only objects whose userId is the principal's;
 * - `org-own`: the grant's organisation, only the principal's own objects;
 * - `org-or-shared`: the organisation's objects and shared ones (orgId null: the global catalog).
 */
export type Reach = 'org' | 'workspace' | 'own' | 'org-own' | 'org-or-shared';

export interface Permission {
  actions: readonly Action[] | 'all';
  subject: SubjectName;
  reach: Reach;
}

const all = 'all' as const;

// Every role may see its organisation and workspace and manage its own admin API tokens.
const BASE_ORG: Permission[] = [
  { actions: ['read'], subject: 'Organisation', reach: 'org' },
  { actions: ['read', 'create', 'delete'], subject: 'AdminToken', reach: 'org-own' },
];
const BASE_WORKSPACE: Permission[] = [...BASE_ORG, { actions: ['read'], subject: 'Workspace', reach: 'workspace' }];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  owner: [
    { actions: ['read', 'update'], subject: 'Organisation', reach: 'org' },
    ...(['Workspace', 'Member', 'User', 'SsoConnection', 'ScimToken', 'AdminToken', 'ApiKey', 'Spend', 'AuditLog', 'Policy'] as const)
      .map((subject): Permission => ({ actions: all, subject, reach: 'org' })),
    { actions: all, subject: 'CatalogEndpoint', reach: 'org' },
    { actions: ['read'], subject: 'CatalogEndpoint', reach: 'org-or-shared' },
  ],
  admin: [
    ...BASE_WORKSPACE,
    { actions: ['update'], subject: 'Workspace', reach: 'workspace' },
    { actions: all, subject: 'Member', reach: 'workspace' },
    { actions: all, subject: 'ApiKey', reach: 'workspace' },
    { actions: ['read'], subject: 'Spend', reach: 'workspace' },
    { actions: all, subject: 'AuditLog', reach: 'workspace' },
    { actions: all, subject: 'Policy', reach: 'workspace' },
    { actions: ['read'], subject: 'CatalogEndpoint', reach: 'org-or-shared' },
  ],
  policy_author: [
    ...BASE_WORKSPACE,
    { actions: ['read', 'create', 'update'], subject: 'Policy', reach: 'workspace' },
  ],
  policy_approver: [
    ...BASE_WORKSPACE,
    { actions: ['read', 'approve', 'publish'], subject: 'Policy', reach: 'workspace' },
  ],
  auditor: [
    ...BASE_WORKSPACE,
    { actions: ['read'], subject: 'Spend', reach: 'workspace' },
    { actions: ['read', 'export'], subject: 'AuditLog', reach: 'workspace' },
  ],
  developer: [
    ...BASE_WORKSPACE,
    { actions: all, subject: 'ApiKey', reach: 'own' },
  ],
};
