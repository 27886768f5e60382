/**
 * The scanner: one left-to-right pass of a combined prefilter regex whose alternatives are the anchors of every
 * enabled recognizer family (a digit, `@`, vendor prefixes, secret keywords, `-----BEGIN`, `eyJ`). At each hit only
 * that family's recognizer runs, anchored at the hit, and tells the scanner where to resume — so text with nothing
 * that could be PII costs one native regex scan, and recognizers that cannot match are never run.
 */
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import { PII_ENTITY_TYPES } from './entities';
import { compileCustomRecognizer, CustomRecognizerError, type CompiledCustomRecognizer } from './recognizers/custom';
import { onAt } from './recognizers/email';
import { onJwt } from './recognizers/jwt';
import { KEYWORD_SOURCE, onSecretKeyword } from './recognizers/keyword-secrets';
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
}

const NUMERIC_TYPES = [
  'PHONE_NUMBER', 'CREDIT_CARD', 'IBAN_CODE', 'US_SSN', 'IP_ADDRESS', 'CRYPTO', 'UK_NHS', 'ES_NIF', 'ES_NIE',
  'IT_FISCAL_CODE', 'DE_TAX_ID', 'IN_AADHAAR', 'AU_TFN', 'CA_SIN',
];

// Order matters where anchors could start at the same place: specific prefixes before the generic digit anchor.
const FAMILIES: readonly Family[] = [
  { source: '-----BEGIN ', handler: onPemBegin, types: ['PRIVATE_KEY'] },
  { source: 'eyJ', handler: onJwt, types: ['JWT'] },
  {
    source: SECRET_PREFIX_SOURCE,
    handler: onSecretPrefix,
    types: ['AWS_ACCESS_KEY', 'GOOGLE_API_KEY', 'GITHUB_TOKEN', 'SLACK_TOKEN', 'STRIPE_KEY', 'ANTHROPIC_API_KEY',
      'OPENAI_API_KEY', 'CRYPTO'],
  },
  { source: KEYWORD_SOURCE, handler: onSecretKeyword, types: ['GENERIC_SECRET', 'AWS_SECRET_KEY'] },
  { source: '@', handler: onAt, types: ['EMAIL_ADDRESS', 'GENERIC_SECRET'] },
  { source: '[0-9\\uFF10-\\uFF19]', handler: onDigit, types: NUMERIC_TYPES },
];

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
  private readonly prefilter: RegExp | null;
  private readonly handlers: Handler[];

  constructor(
    enabled: ReadonlySet<string>,
    private readonly regions: readonly CountryCode[],
    private readonly minScore: number,
    private readonly custom: readonly CompiledCustomRecognizer[],
  ) {
    this.enabled = enabled;
    this.entityTypes = Object.freeze([...enabled]);
    const active = FAMILIES.filter((f) => f.types.some((t) => enabled.has(t)));
    this.handlers = active.map((f) => f.handler);
    this.prefilter = active.length ? new RegExp(active.map((f) => `(${f.source})`).join('|'), 'g') : null;
  }

  scan(text: string): PiiFinding[] {
    if (typeof text !== 'string') throw new TypeError('scan(text): text must be a string');
    const sink = new CandidateSink(this.enabled);
    if (this.prefilter) this.runPrefilter(text, sink);
    for (const c of this.custom) c.run(text, sink);
    return resolveOverlaps(sink.items, this.minScore);
  }

  private runPrefilter(text: string, sink: CandidateSink): void {
    const env = new ScanEnv(text, sink, this.regions);
    // A fresh lastIndex per scan keeps the shared compiled regex reentrant-safe for synchronous use.
    const re = this.prefilter!;
    re.lastIndex = 0;
    const handlers = this.handlers;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      let family = 1;
      while (m[family] === undefined) family++;
      const at = m.index;
      const next = handlers[family - 1]!(env, at);
      re.lastIndex = next > at ? next : at + 1;
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
