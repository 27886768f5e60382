/**
 * Rule indexing: when many definitions of one rule each test the same input path against a constant
 * (`input.request.model == "gpt-4o"`), the path is read once per evaluation and only the definitions
 * whose constant matches (plus those without such a test) run. A definition whose test cannot succeed
 * would produce nothing anyway, so results are unchanged.
 */
import type { EvalCtx } from '../eval/context';
import { lookupPath } from '../eval/ops';
import type { Expr, Term } from '../syntax/ast';
import { Value, canonicalKey } from '../value';
import type { RuleDef } from './tree';

export interface RuleIndex {
  /** indices of the definitions that may produce a value for this evaluation, in source order */
  select(ctx: EvalCtx): readonly number[];
}

const MIN_DEFS = 4;

function constValue(t: Term): Value | undefined {
  switch (t.type) {
    case 'string': case 'number': case 'boolean': return t.value;
    case 'null': return null;
    default: return undefined;
  }
}

/** input.a.b (constant string segments only) → ['a', 'b']. */
function inputPath(t: Term): string[] | null {
  if (t.type === 'var' && t.name === 'input') return [];
  if (t.type !== 'ref' || t.head.type !== 'var' || t.head.name !== 'input') return null;
  const out: string[] = [];
  for (const s of t.path) {
    if (s.type !== 'string') return null;
    out.push(s.value);
  }
  return out;
}

/** Equality tests `input.path == const` among the top-level conjuncts of a body. */
function equalityTests(body: Expr[]): Map<string, { path: string[]; value: Value }> {
  const out = new Map<string, { path: string[]; value: Value }>();
  for (const e of body) {
    if (e.negated || e.withs.length > 0) continue;
    let l: Term | null = null;
    let r: Term | null = null;
    const b = e.body;
    if (b.kind === 'unify') [l, r] = [b.left, b.right];
    else if (b.kind === 'term' && b.term.type === 'call' && b.term.infix && b.term.fn.type === 'var' && b.term.fn.name === 'equal') {
      [l, r] = b.term.args;
    }
    if (!l || !r) continue;
    for (const [a, c] of [[l, r], [r, l]] as const) {
      const p = inputPath(a);
      const v = constValue(c);
      if (p && p.length > 0 && v !== undefined) {
        out.set(p.join('\u0000'), { path: p, value: v });
        break;
      }
    }
  }
  return out;
}

/** v0 bodies may shadow `input` with a local variable: such definitions are never indexed. */
function declaresInput(body: Expr[]): boolean {
  return body.some((e) => (e.body.kind === 'assign' && e.body.left.type === 'var' && e.body.left.name === 'input')
    || (e.body.kind === 'some' && e.body.vars.some((v) => v.type === 'var' && v.name === 'input')));
}

/** Builds an index for a rule's definitions, or null when indexing would not help. */
export function buildRuleIndex(defs: readonly RuleDef[]): RuleIndex | null {
  if (defs.length < MIN_DEFS) return null;
  const tests = defs.map((d) => (d.rule.elses.length > 0 || declaresInput(d.rule.body) ? new Map() : equalityTests(d.rule.body)));
  const counts = new Map<string, number>();
  for (const t of tests) for (const k of t.keys()) counts.set(k, (counts.get(k) ?? 0) + 1);
  let best: string | null = null;
  for (const [k, n] of counts) if (n >= 2 && (best === null || n > counts.get(best)!)) best = k;
  if (best === null) return null;
  const always: number[] = [];
  const byValue = new Map<string, number[]>();
  let path: string[] = [];
  tests.forEach((t, i) => {
    const test = t.get(best!);
    if (!test) {
      always.push(i);
      return;
    }
    path = test.path;
    const ck = canonicalKey(test.value);
    let list = byValue.get(ck);
    if (!list) byValue.set(ck, (list = []));
    list.push(i);
  });
  // Each distinct value gets its merged, ordered list once, at compile time.
  const merged = new Map<string, number[]>();
  for (const [ck, list] of byValue) merged.set(ck, [...list, ...always].sort((a, b) => a - b));
  const p = path;
  return {
    select(ctx) {
      const v = lookupPath(ctx.input, p);
      if (v === undefined) return always;
      return merged.get(canonicalKey(v)) ?? always;
    },
  };
}
