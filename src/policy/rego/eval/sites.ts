/**
 * Per-site copies of hot closures.
 *
 * V8 keeps inline caches and call feedback per function literal, shared by every closure made
 * from it: when one literal serves every `x.field` of every rule, its property loads see every
 * shape and its continuation calls see every target, so they go megamorphic and TurboFan cannot
 * inline the chain of steps. `perSite(factory)` compiles a fresh copy of a factory's own source
 * text for each call site; each copy gets its own feedback, stays monomorphic and can be inlined
 * into its caller.
 *
 * Safety: only the engine's own factory functions are recompiled, from their compiled source
 * (`Function.prototype.toString`); policy values reach them only as arguments, never as source
 * text. Factories must therefore be self-contained: they may use their parameters and JS globals
 * only (no imports, no module-level names, no `this`). Where code generation from strings is
 * disabled (`--disallow-code-generation-from-strings`), the factory itself is used.
 */

let serial = 0;
let codegen = true;
/** Copies compiled per batch: one script per BATCH sites keeps prepare time low. */
const BATCH = 16;
const pools = new WeakMap<object, unknown[]>();

/** `name` labels the copies in stack traces and CPU profiles (a constant of the engine, never policy text). */
export function perSite<F extends (...args: never[]) => unknown>(factory: F, name = 'site'): F {
  if (!codegen) return factory;
  let pool = pools.get(factory);
  if (pool === undefined || pool.length === 0) {
    const src = '(' + factory.toString() + ')';
    // Coverage instrumentation (istanbul counters) makes the source refer to module-level names.
    if (INSTRUMENTED.test(src)) return factory;
    try {
      pool = compileCopies(src, name);
    } catch {
      codegen = false;
      return factory;
    }
    pools.set(factory, pool);
  }
  return pool.pop() as F;
}

const INSTRUMENTED = /\bcov_\w+\(|__coverage__/;

function compileCopies(src: string, name: string): unknown[] {
  // Each literal in the array is its own function (own feedback); the serial makes every script
  // unique, so V8's eval cache cannot hand back copies that another batch already uses.
  const body = `return [${new Array<string>(BATCH).fill(src).join(',\n')}];\n//# sourceURL=gatehouse-rego/${name}/${serial++}`;
  return (new Function(body) as () => unknown[])();
}
