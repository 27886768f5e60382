/**
 * Admin-defined recognizers. Patterns are compiled once with re2 (linear time: no catastrophic backtracking, no
 * backreferences or lookaround), validated up front so a bad spec fails at configuration time with a clear error.
 */
import RE2 from 're2';
import type { CustomRecognizerSpec } from '../types';
import { VALIDATORS } from '../validators/registry';
import { contextMatcher, hasContext } from '../scan/context';
import type { CandidateSink } from '../scan/sink';

export class CustomRecognizerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CustomRecognizerError';
  }
}

export interface CompiledCustomRecognizer {
  readonly type: string;
  run(text: string, sink: CandidateSink): void;
}

const TYPE_NAME = /^[A-Z][A-Z0-9_]{1,63}$/;
const MAX_MATCHES_PER_TEXT = 100_000;

export function compileCustomRecognizer(spec: CustomRecognizerSpec): CompiledCustomRecognizer {
  if (!spec || typeof spec !== 'object') throw new CustomRecognizerError('custom recognizer must be an object');
  if (typeof spec.type !== 'string' || !TYPE_NAME.test(spec.type)) {
    throw new CustomRecognizerError(`custom recognizer type ${JSON.stringify(spec.type)} must match ${TYPE_NAME}`);
  }
  if (typeof spec.pattern !== 'string' || spec.pattern.length === 0 || spec.pattern.length > 4096) {
    throw new CustomRecognizerError(`${spec.type}: pattern must be a non-empty string of at most 4096 characters`);
  }
  const flags = spec.flags ?? '';
  if (!/^i?$/.test(flags)) throw new CustomRecognizerError(`${spec.type}: only the "i" flag is supported`);
  let re: RE2;
  try {
    re = new RE2(spec.pattern, `gu${flags}`);
  } catch (err) {
    throw new CustomRecognizerError(`${spec.type}: invalid re2 pattern: ${(err as Error).message}`);
  }
  if (re.test('')) throw new CustomRecognizerError(`${spec.type}: pattern must not match the empty string`);
  const validate = spec.validator === undefined ? undefined : VALIDATORS[spec.validator];
  if (spec.validator !== undefined && !validate) {
    throw new CustomRecognizerError(`${spec.type}: unknown validator ${JSON.stringify(spec.validator)}`);
  }
  const context = spec.context && spec.context.length ? contextMatcher(spec.context) : undefined;
  if (spec.requireContext && !context) {
    throw new CustomRecognizerError(`${spec.type}: requireContext needs context words`);
  }
  const base = clampScore(spec.score ?? 0.6, 'score', spec.type);
  const boost = clampScore(spec.contextBoost ?? 0.3, 'contextBoost', spec.type);
  const type = spec.type;
  return {
    type,
    run(text: string, sink: CandidateSink): void {
      re.lastIndex = 0;
      let count = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(text)) !== null && count++ < MAX_MATCHES_PER_TEXT) {
        const start = m.index;
        const end = start + m[0].length;
        if (m[0].length === 0) {
          re.lastIndex = end + 1;
          continue;
        }
        if (validate && !validate(m[0])) continue;
        const near = context ? hasContext(text, start, end, context) : false;
        if (spec.requireContext && !near) continue;
        sink.add(type, start, end, base + (near ? boost : 0));
      }
    },
  };
}

function clampScore(v: number, name: string, type: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new CustomRecognizerError(`${type}: ${name} must be a number in [0, 1]`);
  }
  return v;
}
