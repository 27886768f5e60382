/**
 * A compiled set of Rego modules: prepare once, then evaluate documents or ad-hoc queries many times.
 */
import { PolicyCompileError, PolicyError, PolicyEvalError } from '../engine';
import { BUILTINS } from './builtins';
import type { BuiltinDef } from './builtins/types';
import { Planner } from './compiler/body';
import { RuleCompiler } from './compiler/rules';
import { CompileIssue, Scope, SlotAllocator, Unsafe } from './compiler/scope';
import { memoCall } from './compiler/templates';
import { Env, compose } from './compiler/terms';
import { ModuleInfo, RuleTree, buildRuleTree } from './compiler/tree';
import { EvalCtx, EvalError, EvalRun, Frame, Getter, Limits, Step } from './eval/context';
import type { Expr, Module, Term } from './syntax/ast';
import { ParseError, parseModule, parseQuery } from './syntax/parser';
import { Value, ValueConversionError, emptyObject, fromJSON } from './value';

export interface ProgramOptions {
  regoVersion?: 'v1' | 'v0';
  strictBuiltinErrors?: boolean;
  limits?: Partial<Limits>;
  print?: (msg: string) => void;
  /** fixed clock for time.now_ns (ns since epoch); default: the real clock */
  nowNs?: () => bigint;
  /** maximum nesting depth of input documents (default 1000) */
  maxInputDepth?: number;
  /** skip the input check (input is known to be plain JSON) */
  trustInput?: boolean;
  builtins?: ReadonlyMap<string, BuiltinDef>;
}

export interface EvalOptions {
  input?: unknown;
  /** override of strictBuiltinErrors for this evaluation */
  strict?: boolean;
}

/** One solution of a query: its variable bindings and the value of each expression. */
export interface QueryResult {
  bindings: Record<string, Value>;
  expressions: Value[];
}

/** Functions with up to this many arguments remember their results within an evaluation. */
const MEMO_MAX_ARITY = 3;
/** a memoized call whose result was undefined */
const UNDEFINED_RESULT = Symbol('undefined result');

export const DEFAULT_LIMITS: Limits = { maxSteps: 1_000_000, timeoutMs: 1000 };

function issueToError(i: CompileIssue): PolicyError {
  return { message: i.message, code: i.code, file: i.loc?.file, line: i.loc?.line, col: i.loc?.col };
}

/** Converts evaluation-time exceptions into PolicyEvalError (never lets a RangeError escape). */
export function toEvalError(e: unknown): Error {
  if (e instanceof PolicyEvalError || e instanceof PolicyCompileError) return e;
  if (e instanceof EvalError) return new PolicyEvalError([{ message: e.message, code: e.code, file: e.file, line: e.line, col: e.col }]);
  if (e instanceof ValueConversionError) return new PolicyEvalError([{ message: `invalid input: ${e.message}`, code: 'eval_input_error' }]);
  if (e instanceof RangeError) {
    return new PolicyEvalError([{ message: `evaluation too deep (${e.message})`, code: 'eval_limit_error' }]);
  }
  return new PolicyEvalError([{ message: e instanceof Error ? e.message : String(e), code: 'eval_internal_error' }]);
}

export class RegoProgram {
  readonly tree: RuleTree;
  readonly modules: Module[];
  private readonly planner: Planner;
  private readonly data: Value;
  private readonly docGetters = new Map<string, Getter>();
  private readonly limits: Limits;

  constructor(modules: readonly { path: string; source: string }[], data: unknown, private readonly opts: ProgramOptions = {}) {
    const issues: CompileIssue[] = [];
    const parsed: Module[] = [];
    for (const m of modules) {
      try {
        parsed.push(parseModule(m.path, m.source, { regoVersion: opts.regoVersion ?? 'v1' }));
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        issues.push(new CompileIssue('rego_parse_error', e.detail, { file: e.file, line: e.line, col: e.col }));
      }
    }
    if (issues.length) throw new PolicyCompileError(issues.map(issueToError));
    this.modules = parsed;
    try {
      this.data = data === undefined ? emptyObject() : fromJSON(data);
    } catch (e) {
      throw new PolicyCompileError([{ message: `invalid data: ${(e as Error).message}`, code: 'rego_compile_error' }]);
    }
    const infos = buildInfos(parsed);
    this.tree = buildRuleTree(infos, issues);
    this.planner = new Planner(this.tree, infos[0] ?? emptyInfo(), opts.builtins ?? BUILTINS);
    const rc = new RuleCompiler(this.planner);
    for (const g of this.tree.groups) {
      try {
        rc.compileGroup(g);
      } catch (e) {
        if (e instanceof CompileIssue) issues.push(e);
        else if (e instanceof RangeError) issues.push(new CompileIssue('rego_compile_error', `rule ${g.name} is nested too deeply`, g.defs[0]?.rule.loc));
        else throw e;
      }
    }
    if (!issues.length) this.checkRecursion(issues);
    if (issues.length) throw new PolicyCompileError(issues.map(issueToError));
    this.shareInputIndependentRules();
    this.memoizeFunctions();
    this.limits = { ...DEFAULT_LIMITS, ...(opts.limits ?? {}) };
  }

  /**
   * Rules that depend on neither input nor nondeterministic builtins (directly or through other
   * rules and functions) have the same value in every evaluation: computed once, on first use, and
   * shared by later evaluations (not inside `with`, whose overrides may change them).
   */
  private shareInputIndependentRules(): void {
    const groups = this.tree.groups;
    const impure = new Set(this.planner.impure);
    const deps = this.planner.deps;
    let changed = true;
    while (changed) {
      changed = false;
      for (const g of groups) {
        if (impure.has(g.id)) continue;
        for (const d of deps.get(g.id) ?? []) {
          if (impure.has(d)) {
            impure.add(g.id);
            changed = true;
            break;
          }
        }
      }
    }
    for (const g of groups) {
      if (impure.has(g.id) || g.kind === 'function') continue;
      const inner = g.evaluate;
      let computed = false;
      let shared: Value | undefined;
      g.evaluate = (ctx) => {
        if (ctx.parent !== null) return inner(ctx);
        if (computed) {
          ctx.cache[g.id] = shared;
          return shared;
        }
        shared = inner(ctx);
        computed = true;
        return shared;
      };
    }
    this.sharedRules = groups.filter((g) => !impure.has(g.id) && g.kind !== 'function').length;
  }

  /**
   * Within one evaluation a function's result depends only on its arguments, so functions with up
   * to MEMO_MAX_ARITY arguments remember their results by argument (objects by identity): policies
   * commonly call `ok(c)` for the same candidate from several rules. Only functions called from at
   * least two places are memoized, and never those that print.
   */
  private memoizeFunctions(): void {
    const printers = closeOver(this.planner.printers, this.planner.deps, this.tree.groups.length);
    for (const g of this.tree.groups) {
      if (g.kind !== 'function' || g.arity < 1 || g.arity > MEMO_MAX_ARITY || printers.has(g.id)) continue;
      // A function called from one place is rarely called twice with the same argument.
      if (g.callSites.size < 2) continue;
      g.call = memoCall(g.call, g.id, g.arity - 1, UNDEFINED_RESULT);
    }
  }

  /** number of rules whose value is shared across evaluations (input-independent) */
  sharedRules = 0;

  private checkRecursion(issues: CompileIssue[]): void {
    const deps = this.planner.deps;
    const groups = this.tree.groups;
    const state = new Uint8Array(groups.length); // 0 new, 1 on stack, 2 done
    const stack: number[] = [];
    const visit = (id: number): boolean => {
      state[id] = 1;
      stack.push(id);
      for (const d of deps.get(id) ?? []) {
        if (state[d] === 1) {
          const cycle = stack.slice(stack.indexOf(d)).concat(d).map((x) => groups[x].name);
          const g = groups[d];
          issues.push(new CompileIssue('rego_recursion_error', `rule ${g.name} is recursive: ${cycle.join(' -> ')}`, (g.defs[0] ?? g.defaultDef)?.rule.loc));
          return true;
        }
        if (state[d] === 0 && visit(d)) return true;
      }
      stack.pop();
      state[id] = 2;
      return false;
    };
    for (let i = 0; i < groups.length; i++) if (state[i] === 0 && visit(i)) return;
  }

  private newCtx(input: unknown, strict?: boolean): EvalCtx {
    const o = this.opts;
    const run = new EvalRun(this.limits, strict ?? o.strictBuiltinErrors ?? false, o.print ?? (() => undefined), o.nowNs);
    const inp = input === undefined ? undefined : o.trustInput ? (input as Value) : fromJSON(input, o.maxInputDepth ?? 1000);
    return new EvalCtx(run, inp, this.data, this.tree.groups.length, null);
  }

  /** The getter of a document path like ['gateway', 'decision'] (compiled once, then reused). */
  compileDocument(path: readonly string[]): Getter {
    const cached = this.lastDoc;
    if (cached !== null && cached.path === path) return cached.get;
    const key = path.join('\u0000');
    let g = this.docGetters.get(key);
    if (!g) {
      const terms: Term[] = path.map((p) => ({ type: 'string', value: p, loc: { file: 'entrypoint', line: 1, col: 1 } }));
      const env: Env = { scope: new Scope(null, new SlotAllocator()), bound: new Set() };
      try {
        const vp = this.planner.planValue({ type: 'ref', head: { type: 'var', name: 'data', loc: terms[0]?.loc ?? { file: 'entrypoint', line: 1, col: 1 } }, path: terms, loc: { file: 'entrypoint', line: 1, col: 1 } }, env);
        g = vp.get;
      } catch (e) {
        if (e instanceof CompileIssue) throw new PolicyCompileError([issueToError(e)]);
        throw e;
      }
      this.docGetters.set(key, g);
    }
    this.lastDoc = { path, get: g };
    return g;
  }
  /** the last document looked up (same path array → no key building) */
  private lastDoc: { path: readonly string[]; get: Getter } | null = null;

  /** Evaluates the document data.<path>; undefined when it is undefined. Throws PolicyEvalError. */
  evaluateDocument(path: readonly string[], opts: EvalOptions = {}): Value | undefined {
    const get = this.compileDocument(path);
    try {
      const ctx = this.newCtx(opts.input, opts.strict);
      return get(new Frame(ctx, 0));
    } catch (e) {
      throw toEvalError(e);
    }
  }

  /** Compiles a query (e.g. `x = data.test.p; y = 1`) for repeated evaluation. Throws PolicyCompileError. */
  prepareQuery(source: string, regoVersion: 'v1' | 'v0' = 'v1'): PreparedQuery {
    let body: Expr[];
    try {
      body = parseQuery(source, { regoVersion });
    } catch (e) {
      if (e instanceof ParseError) throw new PolicyCompileError([{ message: e.detail, code: 'rego_parse_error', file: e.file, line: e.line, col: e.col }]);
      throw e;
    }
    const slots = new SlotAllocator();
    const scope = new Scope(null, slots);
    const p = this.planner;
    try {
      p.info = { module: { file: 'query', pkg: [], imports: [], rules: [], regoV1: true }, imports: new Map(), ruleNames: new Set() };
      p.declareBodyVars(body, scope);
      const exprSlots = body.map(() => slots.next());
      const single = body.length === 1 && body[0].body.kind === 'term' && !body[0].negated && body[0].withs.length === 0;
      const env: Env = { scope, bound: new Set() };
      const results: QueryResult[] = [];
      const names = [...scope.vars.keys()].filter((n) => !n.startsWith('$'));
      const collect = (f: Frame): boolean => {
        const bindings: Record<string, Value> = {};
        for (const n of names) {
          const v = f.slots[scope.vars.get(n)!];
          if (v !== undefined) bindings[n] = v;
        }
        const expressions = exprSlots.map((s) => (f.slots[s] === undefined ? true : f.slots[s]!));
        results.push({ bindings, expressions });
        return false;
      };
      let step: Step;
      if (single) {
        // A single expression reports its value, even false (as OPA's REPL does for `1 == 2`).
        const vp = p.planValue((body[0].body as { term: Term }).term, env);
        step = compose(vp.pre, (f) => {
          const v = vp.get(f);
          if (v === undefined) return false;
          f.slots[exprSlots[0]] = v;
          const r = collect(f);
          f.slots[exprSlots[0]] = undefined;
          return r;
        });
      } else {
        p.valueSlots = new Map(body.map((e, i) => [e, exprSlots[i]]));
        try {
          step = p.planBody(body, env, () => collect);
        } finally {
          p.valueSlots = null;
        }
      }
      const size = slots.size;
      return new PreparedQuery(this, step, size, results, names);
    } catch (e) {
      if (e instanceof CompileIssue) throw new PolicyCompileError([issueToError(e)]);
      if (e instanceof Unsafe) throw new PolicyCompileError([{ message: `var ${e.names.join(', ')} is unsafe`, code: 'rego_unsafe_var_error', line: e.loc.line, col: e.loc.col }]);
      throw e;
    }
  }

  /** Runs a query once. */
  query(source: string, opts: EvalOptions & { regoVersion?: 'v1' | 'v0' } = {}): QueryResult[] {
    return this.prepareQuery(source, opts.regoVersion).run(opts);
  }

  /** @internal */
  runStep(step: Step, size: number, opts: EvalOptions): void {
    try {
      const ctx = this.newCtx(opts.input, opts.strict);
      step(new Frame(ctx, size));
    } catch (e) {
      throw toEvalError(e);
    }
  }
}

export class PreparedQuery {
  constructor(
    private readonly program: RegoProgram,
    private readonly step: Step,
    private readonly size: number,
    private readonly sink: QueryResult[],
    readonly variables: string[],
  ) {}
  run(opts: EvalOptions = {}): QueryResult[] {
    this.sink.length = 0;
    this.program.runStep(this.step, this.size, opts);
    return this.sink.splice(0);
  }
}

/** Groups that are marked or depend (transitively) on a marked group. */
function closeOver(marked: ReadonlySet<number>, deps: ReadonlyMap<number, Set<number>>, n: number): Set<number> {
  const out = new Set(marked);
  let changed = true;
  while (changed) {
    changed = false;
    for (let id = 0; id < n; id++) {
      if (out.has(id)) continue;
      for (const d of deps.get(id) ?? []) {
        if (out.has(d)) {
          out.add(id);
          changed = true;
          break;
        }
      }
    }
  }
  return out;
}

function emptyInfo(): ModuleInfo {
  return { module: { file: '', pkg: [], imports: [], rules: [], regoV1: true }, imports: new Map(), ruleNames: new Set() };
}

function buildInfos(mods: Module[]): ModuleInfo[] {
  const names = new Map<string, Set<string>>();
  for (const m of mods) {
    const key = m.pkg.join('.');
    let s = names.get(key);
    if (!s) names.set(key, (s = new Set()));
    for (const r of m.rules) if (r.ref[0].type === 'var') s.add(r.ref[0].name);
  }
  return mods.map((m) => {
    const imports = new Map<string, Term>();
    for (const i of m.imports) {
      const p = i.path;
      const last = p.type === 'ref' ? p.path[p.path.length - 1] : p;
      const alias = i.alias ?? (last.type === 'string' ? last.value : last.type === 'var' ? last.name : null);
      if (alias) imports.set(alias, p);
    }
    return { module: m, imports, ruleNames: names.get(m.pkg.join('.'))! };
  });
}
