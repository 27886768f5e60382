/**
 * Secrets announced by a keyword: `password: …`, `api_key = "…"`, `Authorization: Bearer …`, `client_secret`,
 * and AWS secret access keys (40 base64 characters, only with AWS context — the shape alone is too common).
 * The value must look like a secret (not a placeholder, enough character variety and entropy).
 */
import type { ScanEnv } from '../scan/env';

/** Keywords as a case-insensitive source for the combined prefilter (JS has no inline `(?i)`). */
const KEYWORDS = [
  'password', 'passwd', 'passphrase', 'pwd', 'secret', 'token', 'api_key', 'apikey', 'api-key', 'access_key',
  'accesskey', 'auth_key', 'credential', 'bearer', 'aws', 'passwort', 'kennwort', 'mot de passe', 'contraseña',
  'private_key', 'client_key', 'パスワード',
];

function caseless(word: string): string {
  let out = '';
  for (const ch of word) {
    const lo = ch.toLowerCase();
    const up = ch.toUpperCase();
    if (lo !== up) out += `[${lo}${up}]`;
    else out += ch === '-' || ch === '_' ? '[-_]' : ch;
  }
  return out;
}

export const KEYWORD_SOURCE = KEYWORDS.map(caseless).join('|');
const KEYWORD_STICKY = new RegExp(`(?:${KEYWORD_SOURCE})`, 'y');

// After the keyword: rest of an identifier, closing quote, an assignment (`:`, `=`, `=>`, `is`), opening quote.
const ASSIGNMENT = /[A-Za-z0-9_.-]{0,30}["'`]?\s{0,4}(?:[:=]{1,2}>?|：|\s(?:is|ist|est|es|=)\s|\s)\s{0,4}(?:[A-Za-z]+\s)?["'`]?/y;
const VALUE = /[^\s"'`,;<>(){}[\]]{1,512}/y;
const AWS_SECRET = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
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

export function onSecretKeyword(env: ScanEnv, at: number): number {
  const text = env.text;
  const prev = at > 0 ? text.charCodeAt(at - 1) : 0;
  KEYWORD_STICKY.lastIndex = at;
  const km = KEYWORD_STICKY.exec(text);
  if (!km) return at + 1;
  const keyword = km[0].toLowerCase();
  const afterKeyword = at + km[0].length;
  if ((prev >= 97 && prev <= 122) || (prev >= 65 && prev <= 90)) {
    // Inside a longer word (`mysecret` is fine for identifiers, `tokens`/`atoken` in prose are not): only allow
    // identifier-style joins.
    if (!/[_.-]/.test(text[at - 1] ?? '') && keyword !== 'secret' && keyword !== 'token') return afterKeyword;
  }
  if (keyword === 'aws' || keyword === 'secret') {
    const windowEnd = Math.min(text.length, afterKeyword + 120);
    const windowText = text.slice(afterKeyword, windowEnd);
    AWS_SECRET.lastIndex = 0;
    const m = AWS_SECRET.exec(windowText);
    if (m && /[a-z]/.test(m[0]) && /[A-Z]/.test(m[0]) && /[0-9+/]/.test(m[0])) {
      const s = afterKeyword + m.index;
      const awsContext = keyword === 'aws' || /aws|secret_?access|secretaccess/i.test(text.slice(Math.max(0, at - 80), s));
      env.sink.add(awsContext ? 'AWS_SECRET_KEY' : 'GENERIC_SECRET', s, s + 40, awsContext ? 0.9 : 0.75);
      return afterKeyword;
    }
  }
  if (keyword === 'aws') return afterKeyword;
  ASSIGNMENT.lastIndex = afterKeyword;
  const am = ASSIGNMENT.exec(text);
  if (!am) return afterKeyword;
  const valueStart = afterKeyword + am[0].length;
  VALUE.lastIndex = valueStart;
  const vm = VALUE.exec(text);
  if (!vm) return afterKeyword;
  let value = vm[0];
  // Trailing sentence punctuation is not part of the secret.
  while (value.length > 0 && /[.!?:]$/.test(value)) value = value.slice(0, -1);
  const passwordLike = /pass|pwd|kennwort|contrase|パスワード/.test(keyword);
  // Prose like "the token limit is": an assignment by whitespace alone needs a strong value.
  const bareSpace = /^[A-Za-z0-9_.-]{0,30}\s+$/.test(am[0]);
  if (bareSpace && keyword !== 'bearer' && !(value.length >= 20 && charClasses(value) >= 3)) return afterKeyword;
  if (!looksLikeSecret(value, passwordLike)) return afterKeyword;
  env.sink.add('GENERIC_SECRET', valueStart, valueStart + value.length, 0.7);
  return afterKeyword;
}
