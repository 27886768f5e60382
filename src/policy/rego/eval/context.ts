/** Per-evaluation state: input, data, caches of virtual documents, limits, `with` overrides. */
import { BuiltinContext } from '../builtins/types';
import type { Value } from '../value';

/** An error raised while evaluating; carries an OPA-like code and the source location when known. */
export class EvalError extends Error {
  constructor(readonly code: string, message: string, readonly file?: string, readonly line?: number, readonly col?: number) {
    super(message);
    this.name = 'EvalError';
  }
}

export const NOT_COMPUTED: unique symbol = Symbol('not computed');
export const IN_PROGRESS: unique symbol = Symbol('in progress');
export type CacheSlot = Value | undefined | typeof NOT_COMPUTED | typeof IN_PROGRESS;

/** A function substituted by `with f as g`: either a constant value or another callable. */
export type FnOverride = { kind: 'value'; value: Value } | { kind: 'call'; call: (ctx: EvalCtx, args: Value[]) => Value | undefined };

export interface Limits {
  maxSteps: number;
  timeoutMs: number;
}

/** What builtins see of a running evaluation (allocated once per evaluation, cache created on demand). */
class RunBuiltinContext implements BuiltinContext {
  private now: bigint | undefined;
  private scratch: Map<string, unknown> | undefined;
  constructor(readonly strict: boolean, readonly print: (msg: string) => void, private readonly clock: (() => bigint) | undefined) {}
  nowNs(): bigint {
    if (this.now === undefined) this.now = this.clock ? this.clock() : BigInt(Date.now()) * 1000000n;
    return this.now;
  }
  get cache(): Map<string, unknown> {
    return (this.scratch ??= new Map());
  }
}

/** State shared by all derived contexts of one evaluation. */
export class EvalRun {
  steps = 0;
  readonly deadline: number;
  readonly builtinCtx: BuiltinContext;
  constructor(readonly limits: Limits, strict: boolean, print: (msg: string) => void, nowNs?: () => bigint) {
    this.deadline = Date.now() + limits.timeoutMs;
    this.builtinCtx = new RunBuiltinContext(strict, print, nowNs);
  }
  /** Called every 1024 steps: enforces the step and time limits. */
  checkLimits(): void {
    if (this.steps > this.limits.maxSteps) {
      throw new EvalError('eval_limit_error', `evaluation exceeded the limit of ${this.limits.maxSteps} steps`);
    }
    if (Date.now() > this.deadline) {
      throw new EvalError('eval_timeout_error', `evaluation exceeded the time limit of ${this.limits.timeoutMs} ms`);
    }
  }
}

export class EvalCtx {
  /** cached value per rule group id (NOT_COMPUTED until evaluated) */
  readonly cache: CacheSlot[];
  /** cached materialized data nodes (by node id) */
  readonly nodeCache: Map<number, Value>;
  fnOverrides: Map<string, FnOverride> | null = null;
  /** results of one-argument function calls in this evaluation, per function (see RegoProgram) */
  fnMemo: (Map<unknown, unknown> | undefined)[] | null = null;
  /** indexed comprehensions: results grouped by key, per comprehension (see compiler/comprehensions) */
  comprIndex: Map<number, Map<string, Value>> | null = null;
  constructor(
    readonly run: EvalRun,
    readonly input: Value | undefined,
    readonly data: Value,
    groupCount: number,
    readonly parent: EvalCtx | null,
  ) {
    this.cache = new Array<CacheSlot>(groupCount).fill(NOT_COMPUTED);
    this.nodeCache = new Map();
  }
}

/** One activation of a rule body, function call or query: variable slots plus the evaluation context. */
export class Frame {
  readonly slots: (Value | undefined)[];
  /** where the body's final step delivers results (a rule's collector) */
  out: unknown = undefined;
  /** function call arguments */
  args: Value[] | null = null;
  constructor(public ctx: EvalCtx, size: number) {
    this.slots = new Array<Value | undefined>(size);
  }
}

/** A compiled step: runs one expression and calls its (statically known) continuation per solution.
 *  Returns true to stop enumeration early. */
export type Step = (f: Frame) => boolean;
export type Getter = (f: Frame) => Value | undefined;
