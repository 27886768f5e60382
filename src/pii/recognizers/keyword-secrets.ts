/**
 * Secrets announced by a keyword: `password: …`, `api_key = "…"`, `Authorization: Bearer …`, `client_secret`,
 * and AWS secret access keys (40 base64 characters, only with AWS context — the shape alone is too common).
 * The value must look like a secret (not a placeholder, enough character variety and entropy).
 */
import type { ScanEnv } from '../scan/env';

/**
 * The prefilter anchors on assignment characters (`:`, `=`, `：`) and on `Bearer `; the keyword is then looked
 * for just before the anchor. (Keyword alternatives inside the combined prefilter would cost far more: every
 * letter would start an attempt.)
 */
export const ASSIGNMENT_ANCHOR_SOURCE = '[:=\\uFF1A]';
export const BEARER_SOURCE = '[Bb]earer ';
const KEYWORD_IN = /(password|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|credential|aws|passwort|kennwort|mot de passe|contraseña|private[_-]?key|client[_-]?key|パスワード)/i;

function isIdentChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 ||
    c === 45 || c === 32 || c === 0xf1 || c === 0xd1 || (c >= 0x30a0 && c <= 0x30ff);
}
// After the anchor: the rest of the assignment (`=`, `=>`, `::`), spaces, an opening quote.
const AFTER_ANCHOR = /[:=>]{0,2}\s{0,4}["'`]?/y;
const VALUE = /[^\s"'`,;<>(){}[\]]{1,512}/y;
const AWS_SECRET = /[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
const PLACEHOLDER = /^(?:\$|%|\{\{|<|\*+$|x+$|\.\.\.|null$|none$|nil$|true$|false$|undefined$|required$|optional$|string$|changeme$|password$|secret$|token$|example|your[_-]|process\.env|os\.environ|env\(|getenv|\[redacted|redacted)/i;

function charClasses(v: string): number {
  let lower = 0, upper = 0, digit = 0, other = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 48 && c <= 57) digit = 1;
    else other = 1;
  }
  return lower + upper + digit + other;
}

function entropy(v: string): number {
  const counts = new Map<string, number>();
  for (const ch of v) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / v.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function looksLikeSecret(value: string, passwordLike: boolean): boolean {
  if (PLACEHOLDER.test(value)) return false;
  if (/^[A-Za-z]+[a-z]$/.test(value) && value.length < 16) return false; // a plain word
  if (passwordLike) return value.length >= 6 && (charClasses(value) >= 2 || value.length >= 16);
  return value.length >= 16 && charClasses(value) >= 2 && entropy(value) >= 3;
}

/** At `:`/`=`: a secret keyword just before it makes the value after it a candidate. */
export function onAssignment(env: ScanEnv, at: number): number {
  const text = env.text;
  // The identifier right before the anchor (after an optional closing quote), at most 40 characters.
  let p = at;
  let skipped = 0;
  while (p > 0 && skipped < 5 && /["'`\s]/.test(text[p - 1]!)) {
    p--;
    skipped++;
  }
  const identEnd = p;
  while (p > 0 && identEnd - p < 40 && isIdentChar(text.charCodeAt(p - 1))) p--;
  if (p === identEnd) return at + 1;
  const km = KEYWORD_IN.exec(text.slice(p, identEnd));
  if (!km) return at + 1;
  const kwStart = p + km.index;
  const prev = kwStart > 0 ? text.charCodeAt(kwStart - 1) : 0;
  // `tokens: 12` is prose/config about tokens, `mytoken=` is not a keyword join we trust unless identifier-style.
  if (((prev >= 97 && prev <= 122) || (prev >= 65 && prev <= 90)) && !/secret|token|key|password/i.test(km[1]!)) {
    return at + 1;
  }
  const keyword = km[1]!.toLowerCase();
  AFTER_ANCHOR.lastIndex = at + 1;
  const am = AFTER_ANCHOR.exec(text);
  const valueStart = at + 1 + (am ? am[0].length : 0);
  if (keyword === 'aws' || keyword.includes('secret') || keyword.includes('access')) {
    AWS_SECRET.lastIndex = 0;
    const windowText = text.slice(valueStart, valueStart + 41);
    const m = AWS_SECRET.exec(windowText);
    if (m && m.index === 0 && /[a-z]/.test(m[0]) && /[A-Z]/.test(m[0]) && /[0-9+/]/.test(m[0])) {
      const awsContext = /aws|secret_?access|secretaccess/i.test(text.slice(Math.max(0, at - 120), valueStart));
      env.sink.add(awsContext ? 'AWS_SECRET_KEY' : 'GENERIC_SECRET', valueStart, valueStart + 40, awsContext ? 0.9 : 0.7);
      return valueStart + 40;
    }
  }
  if (keyword === 'aws') return at + 1;
  return addGenericValue(env, valueStart, /pass|pwd|kennwort|contrase|パスワード/.test(keyword)) ?? at + 1;
}

/** At `Bearer `: the token after it. */
export function onBearer(env: ScanEnv, at: number): number {
  const valueStart = at + 7;
  return addGenericValue(env, valueStart, false) ?? valueStart;
}

function addGenericValue(env: ScanEnv, valueStart: number, passwordLike: boolean): number | undefined {
  const text = env.text;
  VALUE.lastIndex = valueStart;
  const vm = VALUE.exec(text);
  if (!vm) return undefined;
  let value = vm[0];
  // Trailing sentence punctuation is not part of the secret.
  while (value.length > 0 && /[.!?:]$/.test(value)) value = value.slice(0, -1);
  if (!looksLikeSecret(value, passwordLike)) return undefined;
  env.sink.add('GENERIC_SECRET', valueStart, valueStart + value.length, 0.7);
  // Resume inside the value so vendor-specific recognizers (which score higher) can still claim it.
  return valueStart;
}
