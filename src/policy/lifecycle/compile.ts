/**
 * One way to turn a scope's policy (organisation data + workspace data + custom Rego, or an OPA
 * wasm policy) into a PreparedPolicy. The gateway (PolicyService), validation and simulation all
 * call this, so what is simulated or validated is exactly what the gateway would run.
 */
import { createHash } from 'node:crypto';
import { PolicyCompileError, type PolicyModule, type PreparedPolicy } from '../engine';
import { prepareRego, parseModule, ParseError } from '../rego';
import { loadWasmBundle } from '../wasm';
import { DECISION_ENTRYPOINT } from '../builtin';
import { isTestModule } from './types';

/** Per-request evaluation limits of the live decision. */
export const LIVE_LIMITS = { maxSteps: 1_000_000, timeoutMs: 250 } as const;

/** The custom package name of a scope: `org`, or the workspace slug with `-` → `_`. */
export function customPackageName(workspaceSlug: string | null): string {
  return workspaceSlug === null ? 'org' : workspaceSlug.replace(/-/g, '_');
}

/** Where a scope's custom modules are placed among the built-in ones (and stripped again in messages). */
export const CUSTOM_PREFIX = { org: 'custom/org/', workspace: 'custom/workspace/' } as const;

export interface ScopeLevel {
  data: Record<string, unknown>;
  /** Custom Rego of the level; `*_test.rego` files are skipped here (they only run in validation). */
  modules?: readonly PolicyModule[];
  /** OPA wasm policy (bundle archive or bare policy.wasm) replacing the built-in decision. Workspace level only. */
  wasm?: Uint8Array | null;
}

export interface CompileScopeInput {
  /** The built-in modules (loadPolicyModules()). */
  builtin: readonly PolicyModule[];
  org: ScopeLevel;
  /** The workspace level; null compiles the organisation level alone (its defaults as seen by a workspace without data). */
  workspace: ScopeLevel | null;
  limits?: { maxSteps?: number; timeoutMs?: number };
}

/** The live (non-test) custom modules of both levels, under their level's prefix. */
export function liveCustomModules(input: Pick<CompileScopeInput, 'org' | 'workspace'>): PolicyModule[] {
  const place = (prefix: string, modules: readonly PolicyModule[] | undefined): PolicyModule[] =>
    (modules ?? []).filter((m) => !isTestModule(m.path)).map((m) => ({ path: prefix + m.path, source: m.source }));
  return [...place(CUSTOM_PREFIX.org, input.org.modules), ...place(CUSTOM_PREFIX.workspace, input.workspace?.modules)];
}

/** Names of the gateway.custom.* packages the modules declare (the decision reads their `deny`). */
export function customPackagesOf(modules: readonly PolicyModule[]): string[] {
  const names = new Set<string>();
  for (const m of modules) {
    let pkg: string[];
    try {
      pkg = parseModule(m.path, m.source, { regoVersion: 'v1' }).pkg;
    } catch (err) {
      if (err instanceof ParseError) throw new PolicyCompileError([{ code: 'rego_parse_error', message: err.detail, file: err.file, line: err.line, col: err.col }]);
      throw err;
    }
    if (pkg.length === 3 && pkg[0] === 'gateway' && pkg[1] === 'custom') names.add(pkg[2]);
  }
  return [...names].sort();
}

/** The `data` document the decision is evaluated with. */
export function decisionData(input: Pick<CompileScopeInput, 'org' | 'workspace'>, customPackages: readonly string[]): Record<string, unknown> {
  return { gatehouse: { org: input.org.data, workspace: input.workspace?.data ?? {}, custom_packages: [...customPackages] } };
}

/** A short digest naming compiled content in version strings (e.g. `wasm@1a2b3c4d`). */
export function contentHash(parts: ReadonlyArray<string | Uint8Array>): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p).update('\0');
  return hash.digest('hex').slice(0, 8);
}

/**
 * Compiles a scope's policy. A workspace wasm policy replaces the built-in decision (it gets the same
 * `data.gatehouse` document); otherwise the built-in modules plus both levels' custom modules are
 * compiled with the Rego engine. Throws PolicyCompileError.
 */
export async function compileScopePolicy(input: CompileScopeInput): Promise<PreparedPolicy> {
  const wasm = input.workspace?.wasm ?? null;
  if (wasm) {
    return loadWasmBundle({ kind: 'bytes', bytes: wasm }, { data: decisionData(input, []), entrypoints: [DECISION_ENTRYPOINT] });
  }
  const custom = liveCustomModules(input);
  return prepareRego({
    modules: [...input.builtin, ...custom],
    data: decisionData(input, customPackagesOf(custom)),
    entrypoints: [DECISION_ENTRYPOINT],
    limits: { ...LIVE_LIMITS, ...input.limits },
    // The gateway builds the input itself from parsed JSON: no cycles, NaN or exotic values to check for.
    trustInput: true,
  });
}
