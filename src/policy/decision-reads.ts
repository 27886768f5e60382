/**
 * What a Rego policy can read of `input`, found statically from its modules, so a decision can be
 * cached under exactly those parts of the input (src/policy/decision-cache.ts).
 *
 * The analysis over-approximates: every reference to `input` anywhere in the modules counts, whether
 * or not the entrypoint reaches it. A reference `input.a.b[x]` reads the subtree `a.b` (the longest
 * constant prefix); a bare `input` (e.g. `walk(input)`, `import input`) or a dynamic first key reads
 * everything. `object.get(input, ["a", "b"], d)` reads `a.b` — the built-in policy reads PII findings
 * that way. A policy calling a non-deterministic builtin (time.now_ns, rand.intn, uuid.rfc4122,
 * io.jwt.decode_verify, http.send, ...) or one with side effects (print, trace) is not cacheable.
 */
import type { Module, Term } from './rego/syntax/ast';
import { BUILTINS } from './rego';

/** Paths into `input` (each a list of object keys); `[[]]` means the whole input. */
export type InputReads = { cacheable: true; paths: string[][] } | { cacheable: false; reason: string };

// Flagged in the builtin registry or not implemented by this engine but known to OPA as non-deterministic.
const UNCACHEABLE_CALLS = new Set([
  'print', 'trace', 'opa.runtime', 'http.send', 'net.lookup_ip_addr', 'crypto.x509.parse_and_verify_certificates',
  'crypto.x509.parse_and_verify_certificates_with_options', 'time.now_ns', 'rand.intn', 'uuid.rfc4122', 'io.jwt.decode_verify',
]);
for (const [name, def] of BUILTINS) if (def.nondeterministic) UNCACHEABLE_CALLS.add(name);

const isVar = (t: Term, name: string): boolean => t.type === 'var' && t.name === name;

/** `f`, `a.b.c` → the dotted name of a called function; null when the callee is not a plain name. */
function calleeName(fn: Term): string | null {
  if (fn.type === 'var') return fn.name;
  if (fn.type !== 'ref' || fn.head.type !== 'var') return null;
  let name = fn.head.name;
  for (const p of fn.path) {
    if (p.type !== 'string') return null;
    name += '.' + p.value;
  }
  return name;
}

/** The constant string keys of a ref path, up to the first non-constant one. */
function constantPrefix(path: readonly Term[]): string[] {
  const out: string[] = [];
  for (const p of path) {
    if (p.type !== 'string') break;
    out.push(p.value);
  }
  return out;
}

/** `input` → [], `input.a.b[x]` → ['a', 'b']; null when the term is not rooted at input. */
function inputPrefix(t: Term): string[] | null {
  if (isVar(t, 'input')) return [];
  if (t.type === 'ref' && isVar(t.head, 'input')) return constantPrefix(t.path);
  return null;
}

/** A constant key argument of object.get: "k" or ["k1", "k2"]; null when not constant strings. */
function constantKeys(t: Term): string[] | null {
  if (t.type === 'string') return [t.value];
  if (t.type !== 'array') return null;
  const out: string[] = [];
  for (const item of t.items) {
    if (item.type !== 'string') return null;
    out.push(item.value);
  }
  return out;
}

class Collector {
  readonly paths: string[][] = [];
  uncacheable: string | null = null;
  /** object.get may name a user function when a module imports something as `object`. */
  objectGetIsBuiltin = true;

  /** Walks any AST node generically, so no field of a construct can be missed. */
  visit(node: unknown): void {
    if (this.uncacheable !== null || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) this.visit(item);
      return;
    }
    const t = node as Term;
    if (t.type === 'var' && t.name === 'input') {
      this.paths.push([]);
      return;
    }
    if (t.type === 'ref' && isVar(t.head, 'input')) {
      this.paths.push(constantPrefix(t.path));
      this.visit(t.path);
      return;
    }
    if (t.type === 'call') {
      const name = calleeName(t.fn);
      if (name !== null && UNCACHEABLE_CALLS.has(name)) {
        this.uncacheable = `calls ${name}`;
        return;
      }
      if (name === 'object.get' && this.objectGetIsBuiltin && t.args.length >= 2) {
        const prefix = inputPrefix(t.args[0]);
        const keys = prefix !== null && prefix.length === (t.args[0].type === 'ref' ? t.args[0].path.length : 0) ? constantKeys(t.args[1]) : null;
        if (prefix !== null && keys !== null) {
          this.paths.push([...prefix, ...keys]);
          if (t.args[0].type === 'ref') this.visit(t.args[0].path);
          this.visit(t.args.slice(1));
          return;
        }
      }
      this.visit(t.fn);
      this.visit(t.args);
      return;
    }
    for (const key in node) {
      if (key !== 'loc') this.visit((node as Record<string, unknown>)[key]);
    }
  }
}

/** Drops paths covered by a shorter one and sorts the rest (the cache key lists them in this order). */
export function minimalPaths(paths: readonly string[][]): string[][] {
  const sorted = [...paths].sort((a, b) => a.length - b.length);
  const kept: string[][] = [];
  for (const p of sorted) {
    if (!kept.some((k) => k.every((seg, i) => p[i] === seg))) kept.push(p);
  }
  return kept.sort((a, b) => (a.join('\0') < b.join('\0') ? -1 : 1));
}

/** The parts of input the modules can read, or why their decisions must not be cached. */
export function inputReads(modules: readonly Module[]): InputReads {
  const c = new Collector();
  for (const m of modules) {
    c.objectGetIsBuiltin = !m.imports.some((i) => (i.alias ?? lastSegment(i.path)) === 'object');
    c.visit(m.imports);
    c.visit(m.rules);
    if (c.uncacheable !== null) return { cacheable: false, reason: c.uncacheable };
  }
  return { cacheable: true, paths: minimalPaths(c.paths) };
}

function lastSegment(t: Term): string | null {
  if (t.type === 'var') return t.name;
  if (t.type === 'ref') {
    const last = t.path.at(-1);
    return last?.type === 'string' ? last.value : null;
  }
  return null;
}
