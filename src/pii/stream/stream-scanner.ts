/**
 * Streaming answers: text arrives in chunks and must leave quickly. `push` scans what it has and releases at once
 * everything that no entity could still extend; it holds back only the tail that might be the beginning of an
 * entity (the current token, a run of digit groups, a keyword waiting for its value, an open PEM block, a
 * half-received `<TYPE_n>` placeholder). Released text has actions applied and placeholders restored.
 */
import { applyPiiActions, validateActionMap, type OperatorOptions } from '../operators/apply';
import { BASIC_AUTH_PREFIXES, BEARER_PREFIXES, PASSWORD_FLAG_PREFIXES, PROSE_KEYWORD_PREFIXES } from '../recognizers/keyword-secrets';
import { AWS_ACCESS_KEY_PREFIXES } from '../recognizers/prefixed-secrets';
import type { PiiActionMap, PiiFinding, PiiScanner } from '../types';

export interface StreamScannerOptions {
  scanner: PiiScanner;
  actions: PiiActionMap;
  operators?: OperatorOptions;
  /** Raw JSON text (tool-call arguments): restored originals are JSON-escaped. */
  json?: boolean;
  /** Upper bound on held-back characters (default 64 KiB, enough for a PEM private key). */
  maxHold?: number;
}

const CONTEXT_TAIL = 96;
/**
 * Released text is context (context words, the key before `:`), but recognizers are only started again at its last
 * ANCHOR_MARGIN characters: every other recognizer's candidate ends within its own token or digit run, which the
 * hold rules below keep unreleased until complete, so anchors further back cannot reach the held text. Only the
 * recognizers that start at a word and take a value up to a sentence later (`password for the db is X`,
 * `Bearer X`, `Basic X`, `-p'X'`, an AWS key id and its secret key) are started wherever they occur in the context.
 */
const ANCHOR_MARGIN = 16;
const FORWARD_PREFIXES = [
  ...PROSE_KEYWORD_PREFIXES, ...BEARER_PREFIXES, ...BASIC_AUTH_PREFIXES, ...PASSWORD_FLAG_PREFIXES, ...AWS_ACCESS_KEY_PREFIXES,
];
const FORWARD_ANCHOR = new RegExp(FORWARD_PREFIXES.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');
const FORWARD_PREFIX_MAX = Math.max(...FORWARD_PREFIXES.map((p) => p.length));
const KEYWORD_TAIL = 64;
const MAX_TOKEN_HOLD = 512;
const DIGIT_RUN_HOLD = 48;
const WHITESPACE = /\s/;

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x3000 || c === 0x2028 || c === 0x2029 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x1680 || c === 0x202f || c === 0x205f || c === 0xfeff;
}
const KEYWORD_AT_END = /(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|access[_-]?key|bearer|credential|passwort|kennwort|contraseña|パスワード|aws)[A-Za-z0-9_.-]{0,30}["'`]?\s{0,4}(?:[:=]{1,2}>?|：)?\s{0,4}["'`]?$/i;
/** Every keyword of KEYWORD_AT_END contains one of these (ASCII case-insensitive, as its `i` flag). */
const KEYWORD_STEM = /pass|pwd|secret|token|api|access|bearer|credential|kennwort|contrase|パスワード|aws/i;

/** Characters KEYWORD_AT_END can match after the name: whitespace, quotes, `:`, `=`, `>`, `：`. */
function isAssignTail(c: number): boolean {
  return isSpace(c) || c === 34 || c === 39 || c === 96 || c === 58 || c === 61 || c === 62 || c === 0xff1a;
}

/** Characters of a keyword or of the name after it: `[A-Za-z0-9_.-]`, `ñ`/`Ñ`, katakana. */
function isKeywordNameChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45 ||
    c === 0xf1 || c === 0xd1 || (c >= 0x30a0 && c <= 0x30ff);
}

/**
 * A cheap necessary condition for KEYWORD_AT_END: its match ends in a run of tail characters (at most 13, and the
 * text's whole trailing run, since name characters are never tail characters) right after a run of name characters
 * whose last 40 contain the keyword. Ordinary prose ends in a word without a keyword stem, and skips the regex.
 */
function keywordMayEnd(text: string): boolean {
  let q = text.length;
  while (q > 0 && isAssignTail(text.charCodeAt(q - 1))) {
    q--;
    if (text.length - q > 13) return false;
  }
  let r = q;
  while (r > 0 && q - r < 40 && isKeywordNameChar(text.charCodeAt(r - 1))) r--;
  if (q - r < 3) return false;
  return KEYWORD_STEM.test(text.slice(r, q));
}
const DIGIT_RUN_AT_END = /(?:[A-Z]{2}[0-9]{2}[ -]?)?[+(（＋]?[0-9０-９](?:[0-9０-９]|[ \-./()\u00a0\u2010-\u2015\u2212\uff0d]{1,3}(?=[0-9０-９]))*[ \-./()\u00a0]{0,3}$/;

export class PiiStreamScanner {
  private pending = '';
  /** Whether `pending` contains whitespace: without any, all of it is one token still held whole. */
  private pendingHasSpace = false;
  /** Last released characters (already sent), kept only as scanning context for keywords. */
  private context = '';
  /** Where in `context` a forward-reaching recognizer's prefix occurs (ascending). */
  private forwardAnchors: number[] = [];
  private readonly findingsByType: Record<string, number> = {};
  private blockedTypeSet = new Set<string>();
  private readonly maxHold: number;

  constructor(private readonly options: StreamScannerOptions) {
    validateActionMap(options.actions, options.operators);
    this.maxHold = options.maxHold ?? 64 * 1024;
  }

  /** Adds a chunk; returns the text that can be sent now (possibly empty). */
  push(chunk: string): string {
    if (typeof chunk !== 'string' || chunk.length === 0) return '';
    const before = this.pending.length;
    this.pending += chunk;
    // Mid-token (no whitespace held or arriving) the whole pending text is the current token, which is held until
    // it ends: nothing can be released, so there is nothing to scan yet.
    if (!this.pendingHasSpace) {
      if (!WHITESPACE.test(chunk) && this.pending.length < MAX_TOKEN_HOLD) return '';
      this.pendingHasSpace = true;
    }
    // Inside a PEM block nothing can be released before its END line: skip rescanning the whole held block on
    // every chunk (a streamed private key would otherwise cost time quadratic in its length).
    if (before > 0 && this.pending.length < this.maxHold && this.pending.startsWith('-----BEGIN') &&
        this.pending.indexOf('-----END', before > 8 ? before - 8 : 0) < 0) {
      return '';
    }
    return this.release(false);
  }

  /** End of stream: everything still held, transformed. */
  flush(): string {
    return this.release(true);
  }

  get summary(): Readonly<Record<string, number>> {
    return this.findingsByType;
  }

  get blocked(): boolean {
    return this.blockedTypeSet.size > 0;
  }

  get blockedTypes(): string[] {
    return [...this.blockedTypeSet];
  }

  /** Characters currently held back. */
  get held(): number {
    return this.pending.length;
  }

  private release(final: boolean): string {
    const pending = this.pending;
    if (pending.length === 0) return '';
    const ctx = this.context;
    const full = ctx + pending;
    const forward = this.forwardAnchors.length > 0 ? this.forwardAnchors[0]! : ctx.length;
    const all = this.options.scanner.scan(full, Math.max(0, Math.min(ctx.length - ANCHOR_MARGIN, forward)));
    let cut = final ? pending.length : this.holdPoint(pending, full, ctx.length, all);
    if (cut <= 0) return '';
    // Never cut through a finding; findings that started in already-sent context are past fixing.
    const findings: PiiFinding[] = [];
    for (const f of all) {
      const s = f.start - ctx.length;
      const e = f.end - ctx.length;
      if (e <= 0) continue;
      if (s < 0) continue;
      if (s < cut && e > cut) {
        cut = s;
        break;
      }
      if (e <= cut) findings.push({ type: f.type, start: s, end: e, score: f.score });
    }
    if (cut <= 0) return '';
    const out = pending.slice(0, cut);
    this.pending = pending.slice(cut);
    this.pendingHasSpace = WHITESPACE.test(this.pending);
    // Equal to `ctx + out`, but a slice of `full`, which the scan flattened already: no second copy.
    const released = full.slice(0, ctx.length + cut);
    const drop = released.length > CONTEXT_TAIL ? released.length - CONTEXT_TAIL : 0;
    this.context = drop > 0 ? released.slice(drop) : released;
    this.trackForwardAnchors(released, ctx.length, drop);
    const r = applyPiiActions(out, findings, this.options.actions, this.options.operators);
    for (const f of findings) this.findingsByType[f.type] = (this.findingsByType[f.type] ?? 0) + 1;
    r.blockedTypes.forEach((t) => this.blockedTypeSet.add(t));
    return this.restore(r.text);
  }

  /** Keeps `forwardAnchors` current: shifted by what left the context, plus prefixes ending in the new text. */
  private trackForwardAnchors(released: string, oldLength: number, drop: number): void {
    const kept: number[] = [];
    for (const p of this.forwardAnchors) if (p - drop >= 0) kept.push(p - drop);
    // Prefixes wholly inside the old context were found when it was released.
    FORWARD_ANCHOR.lastIndex = Math.max(0, oldLength - FORWARD_PREFIX_MAX + 1, drop);
    let m: RegExpExecArray | null;
    while ((m = FORWARD_ANCHOR.exec(released)) !== null) {
      if (m.index + m[0].length > oldLength) kept.push(m.index - drop);
      FORWARD_ANCHOR.lastIndex = m.index + 1;
    }
    this.forwardAnchors = kept;
  }

  private restore(text: string): string {
    const vault = this.options.operators?.vault;
    if (!vault || vault.size === 0) return text;
    return vault.restore(text, this.options.json ? (s) => JSON.stringify(s).slice(1, -1) : undefined);
  }

  /** How many characters of `pending` can be released now. */
  private holdPoint(pending: string, full: string, ctxLen: number, findings: readonly PiiFinding[]): number {
    let hold = pending.length;
    const n = pending.length;
    // 1. The current token (no whitespace yet after it) may still grow: email, key, IBAN group, URL credential.
    let t = n;
    while (t > 0 && n - t < MAX_TOKEN_HOLD && !isSpace(pending.charCodeAt(t - 1))) t--;
    hold = Math.min(hold, t);
    // 2. Digit groups with separators (phone, card, IBAN printed in groups) may continue.
    const tail = pending.slice(Math.max(0, n - DIGIT_RUN_HOLD));
    const dm = DIGIT_RUN_AT_END.exec(tail);
    if (dm) hold = Math.min(hold, n - dm[0].length);
    // 3. A keyword whose value has not arrived yet.
    // The longest possible match is 53 characters (keyword, 30 name characters, separators, quotes).
    const fullTail = full.slice(Math.max(0, full.length - KEYWORD_TAIL));
    const km = keywordMayEnd(fullTail) ? KEYWORD_AT_END.exec(fullTail) : null;
    if (km) hold = Math.min(hold, Math.max(0, n - km[0].length));
    // 4. An open PEM block.
    // indexOf skips ahead (Boyer-Moore-Horspool), lastIndexOf compares at every position: most texts have none.
    const begin = full.indexOf('-----BEGIN') < 0 ? -1 : full.lastIndexOf('-----BEGIN');
    const endLine = begin >= 0 ? full.indexOf('-----END', begin) : -1;
    const closed = endLine >= 0 && full.indexOf('-----', endLine + 8) >= 0;
    if (begin >= 0 && !closed && full.length - begin < this.maxHold) {
      hold = Math.min(hold, Math.max(0, begin - ctxLen));
    }
    // 5. A placeholder cut in half: `<EMAIL_ADD`.
    const lt = pending.lastIndexOf('<');
    if (lt >= 0 && pending.indexOf('>', lt) < 0 && n - lt <= 72 && /^<[A-Z0-9_]*$/.test(pending.slice(lt))) {
      hold = Math.min(hold, lt);
    }
    // 6. A finding touching the end may still grow.
    for (const f of findings) if (f.end >= full.length - 1) hold = Math.min(hold, Math.max(0, f.start - ctxLen));
    // Bound the delay: beyond maxHold, release (the entity is implausibly long).
    if (n - hold > this.maxHold) hold = n - this.maxHold;
    return hold;
  }
}
