/** Walks variable names in terms and expressions (used by scope and safety analysis). */
import type { Expr, Term } from './ast';

/** Visits variable names of a term (not function names); closures' bodies via visitE. */
export function visitTerm(t: Term, onVar: (name: string) => void, visitE: ((e: Expr) => void) | null): void {
  const rec = (x: Term): void => visitTerm(x, onVar, visitE);
  if (visitE === null && (t.type === 'arraycompr' || t.type === 'setcompr' || t.type === 'objectcompr')) return;
  switch (t.type) {
    case 'var': onVar(t.name); return;
    case 'ref': rec(t.head); t.path.forEach(rec); return;
    case 'array': case 'set': t.items.forEach(rec); return;
    case 'object': for (const [k, v] of t.entries) { rec(k); rec(v); } return;
    case 'call': t.args.forEach(rec); return;
    case 'arraycompr': case 'setcompr': rec(t.head); t.body.forEach(visitE!); return;
    case 'objectcompr': rec(t.key); rec(t.value); t.body.forEach(visitE!); return;
  }
}

export function visitExpr(e: Expr, visitT: (t: Term) => void): void {
  const b = e.body;
  switch (b.kind) {
    case 'term': visitT(b.term); break;
    case 'unify': case 'assign': visitT(b.left); visitT(b.right); break;
    case 'some': b.vars.forEach(visitT); break;
    case 'somein': if (b.key) visitT(b.key); visitT(b.value); visitT(b.coll); break;
    case 'every':
      if (b.key) visitT(b.key);
      visitT(b.value);
      visitT(b.coll);
      b.body.forEach((x) => visitExpr(x, visitT));
      break;
  }
  for (const w of e.withs) visitT(w.value);
}
