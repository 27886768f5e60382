/** The Rego abstract syntax tree produced by the parser and consumed by the compiler. */

export interface Loc {
  file: string;
  line: number;
  col: number;
}

export type Term =
  | { type: 'null'; loc: Loc }
  | { type: 'boolean'; value: boolean; loc: Loc }
  | { type: 'number'; value: number; loc: Loc }
  | { type: 'string'; value: string; loc: Loc }
  | { type: 'var'; name: string; loc: Loc }
  /** head[path0][path1]...; dotted segments are string terms */
  | { type: 'ref'; head: Term; path: Term[]; loc: Loc }
  | { type: 'array'; items: Term[]; loc: Loc }
  | { type: 'set'; items: Term[]; loc: Loc }
  | { type: 'object'; entries: [Term, Term][]; loc: Loc }
  /** fn is a var or a ref naming the function (e.g. strings.replace_n, data.lib.f); operators are calls too */
  | { type: 'call'; fn: Term; args: Term[]; loc: Loc; infix?: boolean }
  | { type: 'arraycompr'; head: Term; body: Expr[]; loc: Loc }
  | { type: 'setcompr'; head: Term; body: Expr[]; loc: Loc }
  | { type: 'objectcompr'; key: Term; value: Term; body: Expr[]; loc: Loc };

export type ScalarTerm = Extract<Term, { type: 'null' | 'boolean' | 'number' | 'string' }>;

export interface With {
  target: Term;
  value: Term;
  loc: Loc;
}

export type ExprBody =
  | { kind: 'term'; term: Term }
  | { kind: 'unify'; left: Term; right: Term }
  | { kind: 'assign'; left: Term; right: Term }
  | { kind: 'some'; vars: Term[] }
  | { kind: 'somein'; key: Term | null; value: Term; coll: Term }
  | { kind: 'every'; key: Term | null; value: Term; coll: Term; body: Expr[] };

export interface Expr {
  body: ExprBody;
  negated: boolean;
  withs: With[];
  loc: Loc;
}

export interface ElseClause {
  value: Term | null;
  body: Expr[];
  loc: Loc;
}

export interface Rule {
  /** head reference, first element is the rule name var; e.g. p.q[x] → [var p, string q, var x] */
  ref: Term[];
  kind: 'single' | 'multi' | 'function';
  /** function arguments */
  args: Term[] | null;
  /** value term; null = `true` */
  value: Term | null;
  /** multi-value element (contains x / v0 p[x]) */
  key: Term | null;
  isDefault: boolean;
  assign: boolean;
  body: Expr[];
  elses: ElseClause[];
  loc: Loc;
}

export interface Import {
  path: Term;
  alias: string | null;
  loc: Loc;
}

export interface Module {
  file: string;
  /** package path without the leading `data`, e.g. ['test', 'lib'] */
  pkg: string[];
  imports: Import[];
  rules: Rule[];
  regoV1: boolean;
}

export function loc(file: string, line: number, col: number): Loc {
  return { file, line, col };
}
