/**
 * The scanner: one left-to-right pass over the anchors of every enabled recognizer family (a digit, `@`, `:`/`=`
 * for keyword secrets, vendor prefixes, `-----BEGIN`, `eyJ`, `Bearer `). At each hit only that family's recognizer
 * runs, anchored at the hit, and tells the scanner where to resume — so text with nothing that could be PII costs
 * a native regex scan, and recognizers that cannot match are never run.
 *
 * The combined prefilter is two regexes merged in position order: single-character anchors in one character
 * class and multi-character literal prefixes in one alternation. Measured on prose, one regex mixing both runs at
 * ~120 MB/s while the two separate ones run at ~800 and ~600 MB/s (V8 scans a class or a literal set much faster
 * than an alternation whose branches start with different kinds of atoms).
 */
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import { PII_ENTITY_TYPES } from './entities';
import { compileCustomRecognizer, CustomRecognizerError, type CompiledCustomRecognizer } from './recognizers/custom';
import { onAt } from './recognizers/email';
import { onJwt } from './recognizers/jwt';
import { ASSIGNMENT_ANCHOR_SOURCE, BEARER_SOURCE, onAssignment, onBearer } from './recognizers/keyword-secrets';
import { onDigit } from './recognizers/numeric';
import { onPemBegin } from './recognizers/pem';
import { onSecretPrefix, SECRET_PREFIX_SOURCE } from './recognizers/prefixed-secrets';
import { ScanEnv } from './scan/env';
import { CandidateSink, resolveOverlaps } from './scan/sink';
import type { PiiFinding, PiiScanner, PiiScannerOptions } from './types';

type Handler = (env: ScanEnv, at: number) => number;

interface Family {
  source: string;
  handler: Handler;
  types: readonly string[];
  /** Single-character anchors go into the character-class pass, the rest into the literal pass. */
  singleChar: boolean;
}

const NUMERIC_TYPES = [
  'PHONE_NUMBER', 'CREDIT_CARD', 'IBAN_CODE', 'US_SSN', 'IP_ADDRESS', 'CRYPTO', 'UK_NHS', 'ES_NIF', 'ES_NIE',
  'IT_FISCAL_CODE', 'DE_TAX_ID', 'IN_AADHAAR', 'AU_TFN', 'CA_SIN',
];

// Order matters where anchors could start at the same place: specific prefixes before generic ones.
const FAMILIES: readonly Family[] = [
  { source: '-----BEGIN ', handler: onPemBegin, types: ['PRIVATE_KEY'], singleChar: false },
  { source: 'eyJ', handler: onJwt, types: ['JWT'], singleChar: false },
  {
    source: SECRET_PREFIX_SOURCE,
    handler: onSecretPrefix,
    types: ['AWS_ACCESS_KEY', 'GOOGLE_API_KEY', 'GITHUB_TOKEN', 'SLACK_TOKEN', 'STRIPE_KEY', 'ANTHROPIC_API_KEY',
      'OPENAI_API_KEY', 'CRYPTO'],
    singleChar: false,
  },
  { source: BEARER_SOURCE, handler: onBearer, types: ['GENERIC_SECRET'], singleChar: false },
  { source: ASSIGNMENT_ANCHOR_SOURCE, handler: onAssignment, types: ['GENERIC_SECRET', 'AWS_SECRET_KEY'], singleChar: true },
  { source: '@', handler: onAt, types: ['EMAIL_ADDRESS', 'GENERIC_SECRET'], singleChar: true },
  { source: '[0-9\\uFF10-\\uFF19]', handler: onDigit, types: NUMERIC_TYPES, singleChar: true },
];

interface Pass {
  re: RegExp;
  handlers: Handler[];
}

function buildPass(families: Family[]): Pass | null {
  if (families.length === 0) return null;
  return {
    re: new RegExp(families.map((f) => `(${f.source})`).join('|'), 'g'),
    handlers: families.map((f) => f.handler),
  };
}

function familyOf(m: RegExpExecArray): number {
  let family = 1;
  while (m[family] === undefined) family++;
  return family - 1;
}

const DEFAULT_REGIONS: readonly CountryCode[] = ['US', 'GB'];

export class PiiConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PiiConfigError';
  }
}

class CompiledScanner implements PiiScanner {
  readonly entityTypes: readonly string[];
  private readonly enabled: ReadonlySet<string>;
  private readonly literalPass: Pass | null;
  private readonly charPass: Pass | null;

  constructor(
    enabled: ReadonlySet<string>,
    private readonly regions: readonly CountryCode[],
    private readonly minScore: number,
    private readonly custom: readonly CompiledCustomRecognizer[],
  ) {
    this.enabled = enabled;
    this.entityTypes = Object.freeze([...enabled]);
    const active = FAMILIES.filter((f) => f.types.some((t) => enabled.has(t)));
    this.literalPass = buildPass(active.filter((f) => !f.singleChar));
    this.charPass = buildPass(active.filter((f) => f.singleChar));
  }

  scan(text: string): PiiFinding[] {
    if (typeof text !== 'string') throw new TypeError('scan(text): text must be a string');
    const sink = new CandidateSink(this.enabled);
    if (this.literalPass || this.charPass) this.runPrefilter(text, sink);
    for (const c of this.custom) c.run(text, sink);
    return resolveOverlaps(sink.items, this.minScore);
  }

  /** Merges the two anchor passes in text order; each handler says where scanning resumes. */
  private runPrefilter(text: string, sink: CandidateSink): void {
    const env = new ScanEnv(text, sink, this.regions);
    const lit = this.literalPass;
    const chr = this.charPass;
    // The compiled regexes are shared: lastIndex is reset per scan (scan is synchronous, so this is safe).
    if (lit) lit.re.lastIndex = 0;
    if (chr) chr.re.lastIndex = 0;
    let a = lit ? lit.re.exec(text) : null;
    let b = chr ? chr.re.exec(text) : null;
    while (a !== null || b !== null) {
      const useLiteral = a !== null && (b === null || a.index <= b.index);
      const m = (useLiteral ? a : b)!;
      const pass = (useLiteral ? lit : chr)!;
      const at = m.index;
      const next = pass.handlers[familyOf(m)]!(env, at);
      const resume = next > at ? next : at + 1;
      // Anchors inside what the handler consumed are skipped.
      if (a !== null && a.index < resume) {
        lit!.re.lastIndex = resume;
        a = lit!.re.exec(text);
      }
      if (b !== null && b.index < resume) {
        chr!.re.lastIndex = resume;
        b = chr!.re.exec(text);
      }
    }
  }
}

/** Compiles a scanner once (regexes, custom recognizers, options); `scan` is then the hot path. */
export function createPiiScanner(options: PiiScannerOptions = {}): PiiScanner {
  if (options === null || typeof options !== 'object') throw new PiiConfigError('options must be an object');
  const custom: CompiledCustomRecognizer[] = [];
  try {
    for (const spec of options.customRecognizers ?? []) custom.push(compileCustomRecognizer(spec));
  } catch (err) {
    if (err instanceof CustomRecognizerError) throw new PiiConfigError(err.message);
    throw err;
  }
  const known = new Set<string>([...PII_ENTITY_TYPES, ...custom.map((c) => c.type)]);
  let enabled: Set<string>;
  if (options.entities) {
    enabled = new Set();
    for (const e of options.entities) {
      if (!known.has(e)) throw new PiiConfigError(`unknown entity type ${JSON.stringify(e)}`);
      enabled.add(e);
    }
  } else enabled = known;
  const regions: CountryCode[] = [];
  for (const r of options.regionHints ?? DEFAULT_REGIONS) {
    const code = typeof r === 'string' ? r.toUpperCase() : '';
    if (!isSupportedCountry(code)) throw new PiiConfigError(`unknown region hint ${JSON.stringify(r)}`);
    if (!regions.includes(code as CountryCode)) regions.push(code as CountryCode);
  }
  const minScore = options.minScore ?? 0.5;
  if (typeof minScore !== 'number' || !(minScore >= 0 && minScore <= 1)) {
    throw new PiiConfigError('minScore must be a number in [0, 1]');
  }
  return new CompiledScanner(enabled, regions, minScore, custom.filter((c) => enabled.has(c.type)));
}
