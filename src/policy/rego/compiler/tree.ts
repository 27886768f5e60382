/** The virtual document tree: rules grouped by path under data, with the checks OPA makes on rule kinds. */
import type { EvalCtx } from '../eval/context';
import type { Module, Rule, Term } from '../syntax/ast';
import type { Value } from '../value';
import { CompileIssue } from './scope';

export interface ModuleInfo {
  module: Module;
  /** import alias → the imported ref (head var input/data) */
  imports: Map<string, Term>;
  /** first segment names of all rules in this module's package (across modules) */
  ruleNames: Set<string>;
}

export interface RuleDef {
  rule: Rule;
  info: ModuleInfo;
  /** head segments after the static prefix (non-empty for rules like p[x] := v or a.b[c].d := v) */
  dynSegs: Term[];
}

export type GroupKind = 'single' | 'multi' | 'function';

export class RuleGroup {
  readonly defs: RuleDef[] = [];
  defaultDef: RuleDef | null = null;
  /** defaults of single keys of a generated object (default p["k"] := v) */
  readonly keyDefaults: RuleDef[] = [];
  arity = -1;
  dynamic = false;
  /** distinct source locations calling this function (memoization pays off from two on) */
  readonly callSites = new Set<string>();
  /** set by the rule compiler */
  evaluate: (ctx: EvalCtx) => Value | undefined = () => undefined;
  call: (ctx: EvalCtx, args: Value[]) => Value | undefined = () => undefined;
  constructor(readonly id: number, readonly path: string[], readonly kind: GroupKind) {}
  get name(): string {
    return 'data.' + this.path.join('.');
  }
}

export class DataNode {
  readonly children = new Map<string, DataNode>();
  group: RuleGroup | null = null;
  /** a package declared by some module: its document exists (possibly {}) */
  isPackage = false;
  constructor(readonly id: number, readonly path: string[]) {}
  /** Every non-function group at or below this node. */
  groupsBelow(out: RuleGroup[] = []): RuleGroup[] {
    if (this.group && this.group.kind !== 'function') out.push(this.group);
    for (const c of this.children.values()) c.groupsBelow(out);
    return out;
  }
  hasRules(): boolean {
    return this.isPackage || this.group !== null || [...this.children.values()].some((c) => c.hasRules());
  }
}

export class RuleTree {
  readonly root = new DataNode(0, []);
  readonly groups: RuleGroup[] = [];
  private nodeCount = 1;

  node(path: string[], create: boolean): DataNode | undefined {
    let n = this.root;
    for (let i = 0; i < path.length; i++) {
      let c = n.children.get(path[i]);
      if (!c) {
        if (!create) return undefined;
        c = new DataNode(this.nodeCount++, path.slice(0, i + 1));
        n.children.set(path[i], c);
      }
      n = c;
    }
    return n;
  }

  get nodeTotal(): number {
    return this.nodeCount;
  }
}

function ruleKindName(k: GroupKind): string {
  return k === 'single' ? 'single-value rule' : k === 'multi' ? 'multi-value rule' : 'function';
}

/** Groups all rules by path and checks kinds, arities and defaults. Problems are pushed to `issues`. */
export function buildRuleTree(infos: ModuleInfo[], issues: CompileIssue[]): RuleTree {
  const tree = new RuleTree();
  const byPath = new Map<string, RuleGroup>();
  for (const info of infos) {
    tree.node(info.module.pkg, true)!.isPackage = true;
    for (const rule of info.module.rules) {
      const head = rule.ref;
      const path = [...info.module.pkg];
      let i = 0;
      const name = head[0];
      if (name.type !== 'var') continue;
      path.push(name.name);
      for (i = 1; i < head.length; i++) {
        const s = head[i];
        if (s.type !== 'string') break;
        path.push(s.value);
      }
      const dynSegs = head.slice(i);
      const kind: GroupKind = rule.kind;
      if (kind !== 'single' && dynSegs.length > 0) {
        issues.push(new CompileIssue('rego_type_error', `${kind === 'multi' ? 'multi-value rules' : 'functions'} cannot have variables in their reference head`, rule.loc));
        continue;
      }
      const key = path.join('\u0000');
      let g = byPath.get(key);
      if (!g) {
        g = new RuleGroup(tree.groups.length, path, kind);
        byPath.set(key, g);
        tree.groups.push(g);
        const node = tree.node(path, true)!;
        node.group = g;
      } else if (g.kind !== kind) {
        issues.push(new CompileIssue('rego_type_error', `conflicting rules ${g.name} found: ${ruleKindName(g.kind)} and ${ruleKindName(kind)}`, rule.loc));
        continue;
      }
      const def: RuleDef = { rule, info, dynSegs };
      if (kind === 'function') {
        const arity = rule.args!.length;
        if (g.arity >= 0 && g.arity !== arity) {
          issues.push(new CompileIssue('rego_type_error', `conflicting rules ${g.name} found: functions with ${g.arity} and ${arity} arguments`, rule.loc));
          continue;
        }
        g.arity = arity;
      }
      if (rule.isDefault && dynSegs.length > 0) {
        // default p[k] := v with constant keys: applies to that key when no rule defines it
        g.keyDefaults.push(def);
        g.dynamic = true;
        continue;
      }
      if (rule.isDefault) {
        if (g.defaultDef) {
          issues.push(new CompileIssue('rego_type_error', `multiple default rules ${g.name} found`, rule.loc));
          continue;
        }
        g.defaultDef = def;
        continue;
      }
      if ((g.defs.length > 0 || g.keyDefaults.length > 0) && g.dynamic !== dynSegs.length > 0) {
        issues.push(new CompileIssue('rego_type_error', `conflicting rules ${g.name} found: rules with and without variables in their head`, rule.loc));
        continue;
      }
      g.dynamic = dynSegs.length > 0;
      g.defs.push(def);
    }
  }
  // A complete document cannot also have rules below it (only object-generating rules can).
  const check = (n: DataNode): void => {
    if (n.group && !n.group.dynamic && n.children.size > 0) {
      const below = [...n.children.values()].flatMap((c) => c.groupsBelow());
      const other = below[0] ?? null;
      const loc = (n.group.defs[0] ?? n.group.defaultDef)?.rule.loc;
      issues.push(new CompileIssue('rego_type_error', `rule ${n.group.name} conflicts with ${other ? other.name : 'rules below it'}`, loc));
    }
    for (const c of n.children.values()) check(c);
  };
  check(tree.root);
  return tree;
}
