/**
 * The scanner: one left-to-right pass over the anchors of every enabled recognizer family (a digit, `@`, `:`/`=`
 * for keyword secrets, vendor prefixes, `-----BEGIN`, `eyJ`, `Bearer `). At each hit only that family's recognizer
 * runs, anchored at the hit, and tells the scanner where to resume — so text with nothing that could be PII costs
 * one table lookup per character, and recognizers that cannot match are never run (see scan/anchors.ts).
 */
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import { PII_ENTITY_TYPES } from './entities';
import { compileCustomRecognizer, CustomRecognizerError, type CompiledCustomRecognizer } from './recognizers/custom';
import { onAt } from './recognizers/email';
import { onJwt } from './recognizers/jwt';
import {
  ASSIGNMENT_ANCHOR_CHARS, BASIC_AUTH_PREFIXES, BEARER_PREFIXES, onAssignment, onBasicAuth, onBearer, onPasswordFlag, onProseKeyword, PASSWORD_FLAG_PREFIXES,
  PROSE_KEYWORD_PREFIXES,
} from './recognizers/keyword-secrets';
import { onDigit } from './recognizers/numeric';
import { onPemBegin } from './recognizers/pem';
import { onSecretPrefix, SECRET_PREFIXES } from './recognizers/prefixed-secrets';
import { AnchorScanner, codeRange, type AnchorFamily } from './scan/anchors';
import { ScanEnv } from './scan/env';
import { CandidateSink, resolveOverlaps } from './scan/sink';
import type { PiiFinding, PiiScanner, PiiScannerOptions } from './types';

interface Family extends AnchorFamily {
  types: readonly string[];
}

const NUMERIC_TYPES = [
  'PHONE_NUMBER', 'CREDIT_CARD', 'IBAN_CODE', 'US_SSN', 'IP_ADDRESS', 'CRYPTO', 'UK_NHS', 'ES_NIF', 'ES_NIE',
  'IT_FISCAL_CODE', 'DE_TAX_ID', 'IN_AADHAAR', 'AU_TFN', 'CA_SIN',
];

const FAMILIES: readonly Family[] = [
  { prefixes: ['-----BEGIN '], handler: onPemBegin, types: ['PRIVATE_KEY'] },
  { prefixes: ['eyJ'], wordStart: true, handler: onJwt, types: ['JWT'] },
  {
    prefixes: SECRET_PREFIXES,
    wordStart: true,
    handler: onSecretPrefix,
    types: ['AWS_ACCESS_KEY', 'GOOGLE_API_KEY', 'GITHUB_TOKEN', 'SLACK_TOKEN', 'STRIPE_KEY', 'ANTHROPIC_API_KEY',
      'OPENAI_API_KEY', 'CRYPTO'],
  },
  { prefixes: BEARER_PREFIXES, wordStart: true, handler: onBearer, types: ['GENERIC_SECRET'] },
  { prefixes: BASIC_AUTH_PREFIXES, wordStart: true, handler: onBasicAuth, types: ['GENERIC_SECRET'] },
  { prefixes: PROSE_KEYWORD_PREFIXES, wordStart: true, handler: onProseKeyword, types: ['GENERIC_SECRET'] },
  { prefixes: PASSWORD_FLAG_PREFIXES, handler: onPasswordFlag, types: ['GENERIC_SECRET'] },
  { chars: ASSIGNMENT_ANCHOR_CHARS, handler: onAssignment, types: ['GENERIC_SECRET', 'AWS_SECRET_KEY'] },
  { chars: [0x40], handler: onAt, types: ['EMAIL_ADDRESS', 'GENERIC_SECRET'] },
  { chars: [...codeRange(48, 57), ...codeRange(0xff10, 0xff19)], handler: onDigit, types: NUMERIC_TYPES },
];

/** Dispatch tables (80 KB each) shared by every scanner with the same families, e.g. one per workspace. */
const ANCHOR_SCANNERS = new Map<string, AnchorScanner>();

function anchorScannerFor(enabled: ReadonlySet<string>): AnchorScanner {
  const active = FAMILIES.filter((f) => f.types.some((t) => enabled.has(t)));
  const key = active.map((f) => FAMILIES.indexOf(f)).join(',');
  let scanner = ANCHOR_SCANNERS.get(key);
  if (!scanner) ANCHOR_SCANNERS.set(key, (scanner = new AnchorScanner(active)));
  return scanner;
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
  private readonly anchors: AnchorScanner;

  constructor(
    enabled: ReadonlySet<string>,
    private readonly regions: readonly CountryCode[],
    private readonly minScore: number,
    private readonly custom: readonly CompiledCustomRecognizer[],
  ) {
    this.enabled = enabled;
    this.entityTypes = Object.freeze([...enabled]);
    this.anchors = anchorScannerFor(enabled);
  }

  scan(text: string, anchorsFrom = 0): PiiFinding[] {
    if (typeof text !== 'string') throw new TypeError('scan(text): text must be a string');
    const sink = new CandidateSink(this.enabled);
    if (!this.anchors.empty) this.anchors.run(new ScanEnv(text, sink, this.regions), anchorsFrom);
    for (const c of this.custom) c.run(text, sink);
    return resolveOverlaps(sink.items, this.minScore);
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
