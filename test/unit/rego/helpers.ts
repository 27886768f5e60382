import { RegoProgram, toJSON } from '../../../src/policy/rego';
import type { ProgramOptions } from '../../../src/policy/rego';

/** Compiles one module (v1 unless opts say otherwise). */
export function compile(source: string, data?: unknown, opts: ProgramOptions = {}): RegoProgram {
  return new RegoProgram([{ path: 'test.rego', source }], data, opts);
}

/** Evaluates data.<path> and returns plain JSON (undefined when undefined). */
export function evalDoc(p: RegoProgram, path: string, input?: unknown): unknown {
  const v = p.evaluateDocument(path.split('.'), { input });
  return v === undefined ? undefined : toJSON(v);
}

/** Compiles and evaluates data.test (or data.test.<rule>). */
export function run(source: string, rule?: string, input?: unknown, data?: unknown, opts: ProgramOptions = {}): unknown {
  return evalDoc(compile(source, data, opts), rule ? `test.${rule}` : 'test', input);
}
