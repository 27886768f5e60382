/** Shapes of the policy lifecycle (drafts, validation, diff), shared by the store, the API and simulation. */
import type { PolicyModule } from '../engine';

export const DRAFT_STATUSES = ['draft', 'submitted', 'approved', 'published', 'rejected', 'withdrawn'] as const;
export type DraftStatus = (typeof DRAFT_STATUSES)[number];

/** Who wrote or reviewed a draft (user id null for callers without one, e.g. platform break-glass admins). */
export interface PolicyPerson {
  userId: string | null;
  label: string;
}

/** What a scope's policy consists of: data, custom Rego (tests included) and optionally an OPA wasm policy. */
export interface PolicyContent {
  data: Record<string, unknown>;
  modules: PolicyModule[];
  wasm: Buffer | null;
}

export interface DraftRecord extends PolicyContent {
  id: number;
  orgId: string;
  workspaceId: string | null;
  status: DraftStatus;
  baseVersion: number;
  note: string | null;
  author: PolicyPerson;
  createdAt: string;
  submittedAt: string | null;
  reviewedBy: PolicyPerson | null;
  reviewedAt: string | null;
  reviewComment: string | null;
  publishedVersion: number | null;
  publishedAt: string | null;
  validation: Validation | null;
}

export type IssueKind = 'schema' | 'parse' | 'compile' | 'test' | 'constraint' | 'bundle';

export interface Issue {
  kind: IssueKind;
  message: string;
  /** JSON path in the data, e.g. "pii.input.EMAIL_ADDRESS". */
  path?: string;
  file?: string;
  line?: number;
  col?: number;
  code?: string;
}

export interface TestResult {
  name: string;
  package: string;
  pass: boolean;
  message?: string;
}

export interface Validation {
  ok: boolean;
  errors: Issue[];
  warnings: Issue[];
  tests: { passed: number; failed: number; results: TestResult[] };
}

export interface DataChange {
  path: string;
  op: 'add' | 'remove' | 'change';
  before?: unknown;
  after?: unknown;
}

export interface ModuleChange {
  path: string;
  status: 'added' | 'removed' | 'changed' | 'unchanged';
  unified: string;
}

export interface PolicyDiff {
  data: DataChange[];
  modules: ModuleChange[];
}

export const isTestModule = (path: string): boolean => path.endsWith('_test.rego');
