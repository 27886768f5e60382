/**
 * Public types of the PII engine. Offsets are JavaScript string indices (UTF-16 code units), end exclusive,
 * so `text.slice(start, end)` is the finding.
 */

export interface PiiFinding {
  type: string;
  start: number;
  end: number;
  /** Confidence in [0, 1]; validated candidates score high, context words raise the score. */
  score: number;
}

/** Names of validators a custom recognizer may ask for (see validators/registry.ts). */
export type ValidatorName =
  | 'luhn'
  | 'iban'
  | 'mod97'
  | 'us_ssn'
  | 'verhoeff'
  | 'uk_nhs'
  | 'es_nif'
  | 'es_nie'
  | 'it_fiscal_code'
  | 'de_tax_id'
  | 'au_tfn'
  | 'ca_sin'
  | 'base58check'
  | 'bech32'
  | 'jwt';

/** An admin-defined recognizer. The pattern is compiled with re2 (linear time, no backreferences/lookaround). */
export interface CustomRecognizerSpec {
  /** Entity type reported, e.g. `EMPLOYEE_ID`. Upper-case letters, digits and `_`. */
  type: string;
  /** re2 syntax, no delimiters. */
  pattern: string;
  /** re2 flags besides the implied `g`/`u`: only `i` (case-insensitive) is accepted. */
  flags?: string;
  /** Checksum/format validator run on the matched text; a failing candidate is dropped. */
  validator?: ValidatorName;
  /** Words that, found shortly before the match, raise the score by `contextBoost`. */
  context?: readonly string[];
  /** Base score of a match (default 0.6). */
  score?: number;
  /** Score added when a context word is near (default 0.3). */
  contextBoost?: number;
  /** If true, a match without a context word nearby is dropped. */
  requireContext?: boolean;
}

export interface PiiScannerOptions {
  /** Restrict to these types (default: all built-in plus all custom types). */
  entities?: readonly string[];
  /** ISO 3166 alpha-2 region codes tried for national-format phone numbers (default: `['US']` plus the text's script hints). */
  regionHints?: readonly string[];
  /** Findings below this score are dropped (default 0.5). */
  minScore?: number;
  customRecognizers?: readonly CustomRecognizerSpec[];
}

export interface PiiScanner {
  /**
   * Findings sorted by start, non-overlapping. Never throws on any string input. With `anchorsFrom`, recognizers
   * are started only at anchors from that index on; the text before it is still read as their context (streams:
   * released text that only a recognizer reaching forward from it could still need).
   */
  scan(text: string, anchorsFrom?: number): PiiFinding[];
  /** Entity types this scanner can report (after the `entities` filter). */
  readonly entityTypes: readonly string[];
}

/** What to do with a finding of one entity type. */
export type PiiAction =
  | 'redact'
  | 'mask'
  | 'hash'
  | 'tokenize'
  | 'block'
  | 'allow';

/** `{TYPE: action, '*': default}`; a type without entry and without `'*'` is left alone (`allow`). */
export type PiiActionMap = Readonly<Record<string, PiiAction>>;
