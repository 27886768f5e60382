/** Shapes of the policy lifecycle API (see the admin API's policy routes). */

export type PolicyData = Record<string, unknown>;
export interface RegoModule { path: string; source: string }

export interface Version {
  version: number; data: PolicyData; modules: RegoModule[]; kind: 'rego' | 'wasm'; published_by: string | null; published_at: string;
  draft_id: number | null; rollback_of: number | null; note: string | null;
}
export type VersionSummary = Omit<Version, 'data' | 'modules'> & { module_count?: number };

export type DraftStatus = 'draft' | 'submitted' | 'approved' | 'published' | 'rejected' | 'withdrawn';
export interface Person { user_id: string | null; label: string }

export interface Issue {
  kind: 'schema' | 'parse' | 'compile' | 'test' | 'constraint' | 'bundle';
  message: string; path?: string; file?: string; line?: number; col?: number; code?: string;
}
export interface Validation {
  ok: boolean; errors: Issue[]; warnings: Issue[];
  tests: { passed: number; failed: number; results: Array<{ name: string; package: string; pass: boolean; message?: string }> };
}

export interface DraftSummary {
  id: number; status: DraftStatus; base_version: number; kind: 'rego' | 'wasm'; note: string | null; author: Person;
  created_at: string; submitted_at: string | null; reviewed_by: Person | null; reviewed_at: string | null; review_comment: string | null;
  published_version: number | null; published_at?: string | null; validation_ok?: boolean | null;
}
export interface Diff {
  data: Array<{ path: string; op: 'add' | 'remove' | 'change'; before?: unknown; after?: unknown }>;
  modules: Array<{ path: string; status: 'added' | 'removed' | 'changed' | 'unchanged'; unified: string }>;
}
export interface Draft extends DraftSummary { data: PolicyData; modules: RegoModule[]; validation: Validation | null; diff?: Diff; diff_against?: number }

export interface Overview {
  published: Version | null;
  shadow: { draft_id: number; started_by: string; started_at: string } | null;
  open_drafts: DraftSummary[];
}

export interface DecisionSummary { allow: boolean; deny: Array<{ code: string; message: string }>; pii_actions: Record<string, string>; allowed_endpoints: string[] }
export interface SimulatedResult {
  source: 'sample' | 'audit'; event_id?: string; request: { model: string; route: string }; published: DecisionSummary; draft: DecisionSummary;
  changed: boolean; changes?: string[]; recorded?: { allow: boolean; policy_version: string }; notes?: string[];
}
export interface Simulation {
  published_version: number | null; published_policy?: string | null; draft?: { id: number | null; label: string };
  results: SimulatedResult[]; changed: number; total: number; notes?: string[];
}

/** `pii.input.EMAIL_ADDRESS` from the forms the API may use (`$.a.b`, `/a/b`, `a[0]`). */
export function normalisePath(path: string): string {
  return path.replace(/^\$\.?/, '').replace(/^\//, '').replace(/\//g, '.').replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
}
