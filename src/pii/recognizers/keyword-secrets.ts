/**
 * Secrets announced by a keyword: `password: …`, `api_key = "…"`, `JWT_SIGNING_SECRET=…`, `Authorization: Bearer …`,
 * `mysql -p'…'`, prose such as `Passwort <v>`, `the password is <v>`, `仮パスワードは「<v>」`, and AWS secret access
 * keys (40 base64 characters, only with AWS context — the shape alone is too common). The value must look like a
 * secret: not a placeholder, a reference, a URL or a plain word, and with enough variety for its kind of keyword.
 */
import type { ScanEnv } from '../scan/env';
import { isAsciiAlnum } from '../scan/chars';

/**
 * Assignments are anchored on `:`, `=`, `：` and the keyword is looked for just before the anchor (keyword
 * alternatives inside the prefilter would cost far more: they occur inside identifiers, `webhookSigningSecret`,
 * so every letter would start an attempt). Prose forms without an assignment character are anchored on the few
 * password words at the start of a word, which are rare in ordinary text.
 */
export const ASSIGNMENT_ANCHOR_CHARS: readonly number[] = [0x3a, 0x3d, 0xff1a];
export const BEARER_PREFIXES: readonly string[] = ['Bearer ', 'bearer '];
const PROSE_WORDS = ['password', 'passwort', 'kennwort', 'wachtwoord', 'contraseña', 'contrasena', 'mot de passe', 'senha', 'passphrase', 'passcode'];
export const PROSE_KEYWORD_PREFIXES: readonly string[] = [
  ...PROSE_WORDS.flatMap((w) => [w, w[0]!.toUpperCase() + w.slice(1), w.toUpperCase()]),
  'パスワード', '暗証番号',
];
const PROSE_WORDS_ALL = [...PROSE_WORDS, 'パスワード', '暗証番号'].sort((a, b) => b.length - a.length);
export const PASSWORD_FLAG_PREFIXES: readonly string[] = ["-p'", '-p"'];

const KEYWORD_IN = /(password|passwd|passphrase|passcode|pass(?![a-z])|pwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|credential|aws|passwort|kennwort|wachtwoord|mot[ _-]?de[ _-]?passe|contrase(?:ñ|n)a|senha|private[_-]?key|client[_-]?key|signing[_-]?key|パスワード)/i;
const PASSWORD_KEYWORD = /pass|pwd|kennwort|wachtwoord|contrase|senha|パスワード/i;
/** Names that describe a secret without holding one: `private_key_id`, `token_url`, `secret_rotation_days`. */
const DESCRIPTIVE_SUFFIX = /^[_.-]?(?:ids?|name|url|uri|endpoint|path|file|dir|type|len|length|days|ttl|expiry|expires?(?:_at|_in)?|count|version|hint|policy|field|header|param|prefix|format|fingerprint|hash|rotation\w*|env|var|limit|usage|s)$/i;

function isIdentChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 ||
    c === 45 || c === 32 || c === 0xf1 || c === 0xd1 || (c >= 0x30a0 && c <= 0x30ff);
}

// After the anchor: the rest of the assignment (`=`, `=>`, `::`), spaces, an opening quote.
const AFTER_ANCHOR = /[:=>]{0,2}[ \t]{0,4}/y;
const UNQUOTED_VALUE = /[^\s"'`,;<>(){}[\]「」]{1,512}/y;
const AWS_SECRET = /[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/y;
const PLACEHOLDER = /^(?:\$\{|\$\(|\$[A-Za-z_]\w*$|%|replace[_-]?me|change[_-]?me|todo$|fixme|tbd$|\{\{|<|\*+$|x+$|\.\.\.|…|null$|none$|nil$|true$|false$|undefined$|required$|optional$|string$|changeme$|password$|secret$|token$|example|your[_-]|process\.env|os\.environ|env\(|getenv|\[redacted|redacted|\*{2})/i;
/** Values vendor recognizers own: they validate them (GitHub CRC32, placeholders) and type them precisely. */
const VENDOR_VALUE = /^(?:gh[pousr]_|github_pat_|A(?:KIA|SIA)[A-Z0-9]|AIza|xox[abposre]-|sk[-_]|rk_|whsec_|eyJ)/;
/** `process.env.DB_PASSWORD`, `settings.SECRET`, `getSecret(`: a reference to the secret, not its value. */
const CODE_REFERENCE = /^[A-Za-z_]+(?:\.[A-Za-z_]+)+(?:\(.*)?$|^[A-Za-z_][\w.]*\(/;

const QUOTES: Readonly<Record<string, string>> = { '"': '"', "'": "'", '`': '`', '「': '」', '“': '”', '«': '»', '‘': '’' };

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

/** Shannon entropy in bits per character. */
function entropy(v: string): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const c of counts.values()) {
    const p = c / v.length;
    h -= p * Math.log2(p);
  }
  return h;
}

export type Strength = 'password' | 'secret' | 'prose';

/**
 * Shapes of names rather than secrets: `my-top-secret`, `fallback_password` (lower-case words joined),
 * `isWithinTokenLimit` (camelCase identifiers), `YOUR_API_KEY` / `REPLACE_ME` (constant names).
 */
const NAME_SHAPES = /^[a-z]+(?:[-_.][a-z0-9]+)*$|^[a-z]+(?:[A-Z][a-z]+)+$|^[A-Z][a-z]+(?:[A-Z][a-z]+)+$|^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

/** Whether `value`, announced by a keyword of the given strength, looks like a secret (also used for URL userinfo). */
export function looksLikeSecret(value: string, strength: Strength): boolean {
  if (PLACEHOLDER.test(value) || VENDOR_VALUE.test(value)) return false;
  if (value.includes('://') || CODE_REFERENCE.test(value) || NAME_SHAPES.test(value)) return false;
  if (/^[A-Za-z]+$/.test(value) && value.length < 16) return false; // a plain word
  if (/^[0-9]+$/.test(value) && value.length < 12) return false; // a count, a port, a PIN-sized number
  // `keyboard cat`, `my awesome password`: words with spaces are a phrase; a secret phrase has digits or symbols too.
  if (/\s/.test(value) && !/[^A-Za-z\s]/.test(value)) return false;
  // Interpolations and elided examples: `Basic ${token}`, `{{ secret }}`, `Enter passphrase for ...`.
  if (value.includes('${') || value.includes('{{') || /(?:\.\.\.|…)$/.test(value)) return false;
  const classes = charClasses(value);
  if (strength === 'password') return value.length >= 6 && (classes >= 2 || value.length >= 16);
  if (strength === 'prose') return value.length >= 8 && classes >= 2 && entropy(value) >= 2.5;
  return value.length >= 10 && classes >= 2 && entropy(value) >= 3;
}

interface Value {
  start: number;
  end: number;
}

/** The value at `from`: inside quotes when quoted (same line), else up to whitespace or a delimiter. */
function readValue(text: string, from: number, prose: boolean): Value | null {
  const open = text[from];
  const close = open === undefined ? undefined : QUOTES[open];
  if (close !== undefined) {
    let k = from + 1;
    const limit = Math.min(text.length, from + 514);
    while (k < limit && text[k] !== close && text.charCodeAt(k) !== 10) k++;
    if (k < limit && text[k] === close && k > from + 1) return { start: from + 1, end: k };
    from++;
  }
  UNQUOTED_VALUE.lastIndex = from;
  const m = UNQUOTED_VALUE.exec(text);
  if (!m) return null;
  let end = from + m[0].length;
  // Sentence punctuation after the value is not part of it; in prose `!`/`?` end a sentence too.
  while (end > from) {
    const c = text.charCodeAt(end - 1);
    if (c === 46 || c === 44 || c === 59 || c === 58 || (prose && (c === 33 || c === 63))) end--;
    else break;
  }
  return end > from ? { start: from, end } : null;
}

/** At `:`/`=`: a secret keyword just before it makes the value after it a candidate. */
export function onAssignment(env: ScanEnv, at: number): number {
  const text = env.text;
  // `https://…`: a URL scheme, not an assignment.
  if (text.charCodeAt(at) === 58 && text.charCodeAt(at + 1) === 47 && text.charCodeAt(at + 2) === 47) return at + 3;
  // The identifier right before the anchor (after an optional closing quote), at most 40 characters.
  let p = at;
  let skipped = 0;
  while (p > 0 && skipped < 5) {
    const c = text.charCodeAt(p - 1);
    if (c !== 34 && c !== 39 && c !== 96 && c !== 32 && c !== 9) break;
    p--;
    skipped++;
  }
  const identEnd = p;
  let letters = 0;
  while (p > 0 && identEnd - p < 40 && isIdentChar(text.charCodeAt(p - 1))) {
    const c = text.charCodeAt(p - 1);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127) letters++;
    p--;
  }
  // The shortest keyword (`pwd`, `aws`) has three letters.
  if (letters < 3) return at + 1;
  const ident = text.slice(p, identEnd);
  const km = KEYWORD_IN.exec(ident);
  if (!km) return at + 1;
  const kwStart = p + km.index;
  const kwEnd = kwStart + km[0].length;
  const prev = kwStart > 0 ? text.charCodeAt(kwStart - 1) : 0;
  const keyword = km[1]!.toLowerCase();
  // `tokens: 12` is prose/config about tokens; `mytoken=` is not a keyword join we trust unless identifier-style.
  const prevLower = prev >= 97 && prev <= 122;
  if ((prevLower || (prev >= 65 && prev <= 90)) && !/secret|token|key|pass/.test(keyword)) return at + 1;
  // A bare `pass` glued to a lower-case letter is another word (`bypass`, `compass`); `dbPass`, `DB_PASS` are keys.
  if (keyword === 'pass' && prevLower && text.charCodeAt(kwStart) !== 80) return at + 1;
  // `private_key_id`, `token_url`, `max_tokens`: the name describes something other than the secret itself.
  if (DESCRIPTIVE_SUFFIX.test(text.slice(kwEnd, identEnd).trimEnd())) return at + 1;
  AFTER_ANCHOR.lastIndex = at + 1;
  const am = AFTER_ANCHOR.exec(text);
  const valueStart = at + 1 + (am ? am[0].length : 0);
  if (keyword === 'aws' || keyword.includes('secret') || keyword.includes('access')) {
    const q = text[valueStart] === '"' || text[valueStart] === "'" ? 1 : 0;
    AWS_SECRET.lastIndex = valueStart + q;
    const m = AWS_SECRET.exec(text);
    if (m && /[a-z]/.test(m[0]) && /[A-Z]/.test(m[0]) && /[0-9+/]/.test(m[0])) {
      const s = valueStart + q;
      const awsContext = /aws|secret_?access|secretaccess/i.test(text.slice(Math.max(0, at - 120), valueStart));
      env.sink.add(awsContext ? 'AWS_SECRET_KEY' : 'GENERIC_SECRET', s, s + 40, awsContext ? 0.9 : 0.7);
      return s + 40;
    }
  }
  if (keyword === 'aws') return at + 1;
  // A name with spaces before the anchor is a sentence (`Temporary password until Friday: …`), not a key.
  const prose = ident.trimStart().includes(' ');
  // `Pass options instead: …`: the bare word `pass` only names a password in identifiers (`DB_PASS=`).
  if (prose && keyword === 'pass') return at + 1;
  const strength: Strength = PASSWORD_KEYWORD.test(keyword) ? 'password' : 'secret';
  return addGenericValue(env, valueStart, strength, prose) ?? at + 1;
}

/** At `Bearer `: the token after it. */
export function onBearer(env: ScanEnv, at: number): number {
  const valueStart = at + 7;
  return addGenericValue(env, valueStart, 'secret', false) ?? valueStart;
}

export const BASIC_AUTH_PREFIXES: readonly string[] = ['Basic '];
const BASIC_TOKEN = /[A-Za-z0-9+/]{8,1024}={0,2}(?![A-Za-z0-9+/=])/y;

/** At `Basic `: an HTTP Basic credential — base64 of `user:password` (decoded and checked, `Basic` is a common word). */
export function onBasicAuth(env: ScanEnv, at: number): number {
  const valueStart = at + 6;
  BASIC_TOKEN.lastIndex = valueStart;
  const m = BASIC_TOKEN.exec(env.text);
  if (!m) return valueStart;
  const decoded = Buffer.from(m[0], 'base64').toString('latin1');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1 || !/^[\x20-\x7e]+$/.test(decoded)) return valueStart;
  env.sink.add('GENERIC_SECRET', valueStart, valueStart + m[0].length, 0.85);
  return valueStart + m[0].length;
}

/** At `-p'` / `-p"` (mysql, mysqladmin, sshpass): the quoted password. */
export function onPasswordFlag(env: ScanEnv, at: number): number {
  const prev = at > 0 ? env.text.charCodeAt(at - 1) : 32;
  if (prev !== 32 && prev !== 9) return at + 1;
  return addGenericValue(env, at + 2, 'password', false) ?? at + 1;
}

// Between a password word and its value in prose: `is`, `ist`, `est`, `es`, `é`, `は`, `lautet`, `:`…
const PROSE_LINK = /(?:\s+(?:is|was|ist|lautet|war|est|es|era|é|è|=|→|->|:|：)\s+|[ \t]*[:：][ \t]*|\s*(?:は|：|:)\s*|\s+)/y;
const PROSE_GAP_LIMIT = 64;

/**
 * At a password word in prose (`Passwort <v>`, `password is <v>`, `仮パスワードは「<v>」`, `wachtwoord voor de
 * testomgeving <host> is <v>`): the value after a linking word, within the same sentence.
 */
export function onProseKeyword(env: ScanEnv, at: number): number {
  const text = env.text;
  let k = -1;
  for (const w of PROSE_WORDS_ALL) {
    if (text.length - at >= w.length && text.slice(at, at + w.length).toLowerCase() === w) {
      k = at + w.length;
      break;
    }
  }
  if (k < 0) return at + 1;
  // `passwords`, `Passwortrichtlinie`, `password_hash`, `password-reset`: talk about passwords or a name, not one.
  const after = text.charCodeAt(k);
  if (isWordUnit(after)) return k;
  if ((after === 95 || after === 45 || after === 46) && isAsciiAlnum(text.charCodeAt(k + 1))) return k;
  // An assignment character right after the word is the assignment recognizer's job.
  const next = text.charCodeAt(k);
  if (next === 58 || next === 61 || next === 0xff1a) return k;
  // Look for the link within the sentence: directly after the word, or after a few words (`für den Server …`).
  const limit = Math.min(text.length, k + PROSE_GAP_LIMIT);
  for (let p = k; p < limit; p++) {
    const c = text.charCodeAt(p);
    if (c === 10 || c === 0x3002 || ((c === 46 || c === 33 || c === 63) && /\s/.test(text[p + 1] ?? ' '))) break;
    if (p !== k && c !== 32 && c !== 0x306f) continue;
    PROSE_LINK.lastIndex = p;
    const m = PROSE_LINK.exec(text);
    if (!m) continue;
    const direct = p === k;
    const linked = m[0].trim().length > 0;
    // Directly after the word any value will do (`Passwort X7…`); further on only after a linking word.
    if (!direct && !linked) continue;
    // Scanning resumes after the word either way: what lies between (`… testomgeving 10.1.2.3 is …`) may be PII.
    if (addGenericValue(env, p + m[0].length, direct && !linked ? 'prose' : 'password', true) !== undefined) break;
  }
  return k;
}

/** Letters and digits of a word, any script, except the particle は that ends a Japanese subject. */
function isWordUnit(c: number): boolean {
  return isAsciiAlnum(c) || (c >= 0xc0 && c < 0x250) || (c >= 0x30a0 && c <= 0x30ff) || (c >= 0x4e00 && c <= 0x9fff);
}

function addGenericValue(env: ScanEnv, valueStart: number, strength: Strength, prose: boolean): number | undefined {
  const text = env.text;
  const v = readValue(text, valueStart, prose);
  if (!v) return undefined;
  const value = text.slice(v.start, v.end);
  if (!looksLikeSecret(value, strength)) return undefined;
  env.sink.add('GENERIC_SECRET', v.start, v.end, 0.7);
  // Resume inside the value so vendor-specific recognizers (which score higher) can still claim it.
  return v.start;
}
