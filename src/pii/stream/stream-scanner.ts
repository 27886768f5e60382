/**
 * Streaming answers: text arrives in chunks and must leave quickly. `push` scans what it has and releases at once
 * everything that no entity could still extend; it holds back only the tail that might be the beginning of an
 * entity (the current token, a run of digit groups, a keyword waiting for its value, an open PEM block, a
 * half-received `<TYPE_n>` placeholder). Released text has actions applied and placeholders restored.
 */
import { applyPiiActions, validateActionMap, type OperatorOptions } from '../operators/apply';
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
const MAX_TOKEN_HOLD = 512;
const DIGIT_RUN_HOLD = 48;
const WHITESPACE = /\s/;

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x3000 || c === 0x2028 || c === 0x2029 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x1680 || c === 0x202f || c === 0x205f || c === 0xfeff;
}
const KEYWORD_AT_END = /(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|access[_-]?key|bearer|credential|passwort|kennwort|contraseña|パスワード|aws)[A-Za-z0-9_.-]{0,30}["'`]?\s{0,4}(?:[:=]{1,2}>?|：)?\s{0,4}["'`]?$/i;
const DIGIT_RUN_AT_END = /(?:[A-Z]{2}[0-9]{2}[ -]?)?[+(（＋]?[0-9０-９](?:[0-9０-９]|[ \-./()\u00a0\u2010-\u2015\u2212\uff0d]{1,3}(?=[0-9０-９]))*[ \-./()\u00a0]{0,3}$/;

export class PiiStreamScanner {
  private pending = '';
  /** Whether `pending` contains whitespace: without any, all of it is one token still held whole. */
  private pendingHasSpace = false;
  /** Last released characters (already sent), kept only as scanning context for keywords. */
  private context = '';
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
    const all = this.options.scanner.scan(full);
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
    const released = ctx + out;
    this.context = released.length > CONTEXT_TAIL ? released.slice(released.length - CONTEXT_TAIL) : released;
    const r = applyPiiActions(out, findings, this.options.actions, this.options.operators);
    for (const f of findings) this.findingsByType[f.type] = (this.findingsByType[f.type] ?? 0) + 1;
    r.blockedTypes.forEach((t) => this.blockedTypeSet.add(t));
    return this.restore(r.text);
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
    const fullTail = full.slice(Math.max(0, full.length - 80));
    const km = KEYWORD_AT_END.exec(fullTail);
    if (km) hold = Math.min(hold, Math.max(0, n - km[0].length));
    // 4. An open PEM block.
    const begin = full.lastIndexOf('-----BEGIN');
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
