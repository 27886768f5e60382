/**
 * Credentials with a vendor prefix (AWS, GitHub, Slack, Stripe, OpenAI, Anthropic, Google, Bitcoin Bech32). The
 * scanner's prefilter finds the prefix; here a sticky pattern checks the full shape, then a validator if the
 * vendor has one (GitHub's CRC32, Bech32 checksum).
 */
import { isAsciiAlnum } from '../scan/chars';
import type { ScanEnv } from '../scan/env';
import { bech32Valid } from '../validators/crypto-addresses';
import { crc32Ascii } from './crc32';

interface PrefixRule {
  type: string;
  /** First characters the pattern can start with. */
  first: string;
  /** Sticky pattern matched at the prefix position. */
  pattern: RegExp;
  score: number;
  /** Optional validator: returns the score to use (0 drops the match). */
  check?: (value: string) => number;
  /** Key material starts after this many characters (vendor prefix); a placeholder body is dropped. */
  bodyFrom?: number;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * GitHub classic tokens end with the base62 CRC32 of their 30 random characters. A token whose checksum fails is
 * a typo or a fake (test fixtures, docs): it stays below the default minimum score, reported only to callers who
 * lower `minScore` on purpose.
 */
function githubChecksum(value: string): number {
  const body = value.slice(4, 34);
  const tail = value.slice(34);
  let n = 0;
  for (let i = 0; i < tail.length; i++) n = n * 62 + BASE62.indexOf(tail[i]!);
  return n === crc32Ascii(body) ? 1 : 0.45;
}

/**
 * Placeholders written in the shape of a key: `AKIAXXXXXXXXXXXXXXXX`, `sk_live_xxxxxxxx…`, AWS's documented
 * example `AKIAIOSFODNN7EXAMPLE`, `…your_key_here…`. Checked on the part after the vendor prefix.
 */
const PLACEHOLDER_BODY = /(?:EXAMPLE|your[_-]?(?:api[_-]?)?(?:key|token|secret)|placeholder|redacted|dummy|changeme)/i;

function placeholderBody(body: string): boolean {
  if (PLACEHOLDER_BODY.test(body)) return true;
  // One character repeated (xxxx, 0000, ****): nobody's real key.
  let run = 1;
  let longest = 1;
  for (let i = 1; i < body.length; i++) {
    run = body.charCodeAt(i) === body.charCodeAt(i - 1) ? run + 1 : 1;
    if (run > longest) longest = run;
  }
  return longest >= 8 || (body.length >= 8 && longest * 2 >= body.length);
}

/** Literal prefixes for the prefilter (see scan/anchors.ts); each rule below starts with one of them. */
/** AWS key ids; a secret key up to 120 characters after one is claimed too (see findAwsSecretAfter). */
export const AWS_ACCESS_KEY_PREFIXES: readonly string[] =
  ['KIA', 'SIA', 'BIA', 'CCA', 'GPA', 'IDA', 'ROA', 'IPA', 'NPA', 'NVA', 'PKA'].map((p) => 'A' + p);
export const SECRET_PREFIXES: readonly string[] = [
  ...AWS_ACCESS_KEY_PREFIXES, 'AIza',
  'ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_',
  ...'abposre'.split('').map((c) => `xox${c}-`), 'xapp-',
  'sk_live_', 'sk_test_', 'rk_live_', 'rk_test_', 'whsec_', 'sk-', 'hooks.slack.com/',
  'bc1', 'tb1', 'BC1', 'TB1',
];

const RULES: ReadonlyArray<PrefixRule> = [
  { type: 'AWS_ACCESS_KEY', first: 'A', pattern: /A(?:KIA|SIA|BIA|CCA|GPA|IDA|ROA|IPA|NPA|NVA|PKA)[A-Z0-9]{16}(?![A-Za-z0-9])/y, score: 0.95, bodyFrom: 4 },
  { type: 'GOOGLE_API_KEY', first: 'A', pattern: /AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/y, score: 0.95, bodyFrom: 4 },
  { type: 'GITHUB_TOKEN', first: 'g', pattern: /gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/y, score: 0.75, check: githubChecksum, bodyFrom: 4 },
  { type: 'GITHUB_TOKEN', first: 'g', pattern: /github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}(?![A-Za-z0-9_])/y, score: 1 },
  { type: 'GITHUB_TOKEN', first: 'g', pattern: /github_pat_[A-Za-z0-9_]{30,255}/y, score: 0.85 },
  { type: 'SLACK_TOKEN', first: 'x', pattern: /xox[abposre]-[0-9A-Za-z]+(?:-[0-9A-Za-z]+){1,6}/y, score: 0.95, bodyFrom: 5 },
  { type: 'SLACK_TOKEN', first: 'x', pattern: /xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+/y, score: 0.95 },
  { type: 'SLACK_TOKEN', first: 'h', pattern: /hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9]+\/[A-Za-z0-9]+\/[A-Za-z0-9]+/y, score: 0.95 },
  { type: 'STRIPE_KEY', first: 'sr', pattern: /[sr]k_(?:live|test)_[0-9A-Za-z]{10,247}(?![A-Za-z0-9])/y, score: 0.95, bodyFrom: 8 },
  { type: 'STRIPE_KEY', first: 'w', pattern: /whsec_[0-9A-Za-z]{24,512}(?![A-Za-z0-9])/y, score: 0.9, bodyFrom: 6 },
  { type: 'ANTHROPIC_API_KEY', first: 's', pattern: /sk-ant-(?:api|admin|sid)\d{2}-[A-Za-z0-9_-]{20,400}/y, score: 1 },
  { type: 'ANTHROPIC_API_KEY', first: 's', pattern: /sk-ant-[A-Za-z0-9_-]{20,400}/y, score: 0.9 },
  { type: 'OPENAI_API_KEY', first: 's', pattern: /sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}(?![A-Za-z0-9_-])/y, score: 1 },
  { type: 'OPENAI_API_KEY', first: 's', pattern: /sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,400}/y, score: 0.95 },
  { type: 'OPENAI_API_KEY', first: 's', pattern: /sk-[A-Za-z0-9]{32,200}(?![A-Za-z0-9_-])/y, score: 0.8, bodyFrom: 3 },
  { type: 'CRYPTO', first: 'btBT', pattern: /(?:bc|tb|BC|TB)1[02-9ac-hj-np-zAC-HJ-NP-Z]{8,87}(?![A-Za-z0-9])/y, score: 0.95, check: (v) => (bech32Valid(v) ? 0.95 : 0) },
];

/** Rules by the first character of their prefix, so a hit tries only the rules that can match there. */
const RULES_BY_FIRST = new Map<number, PrefixRule[]>();
for (const rule of RULES) {
  for (const ch of rule.first) {
    const c = ch.charCodeAt(0);
    let list = RULES_BY_FIRST.get(c);
    if (!list) RULES_BY_FIRST.set(c, (list = []));
    list.push(rule);
  }
}

/** Called at a prefilter hit of one of SECRET_PREFIXES; returns where to resume. */
export function onSecretPrefix(env: ScanEnv, at: number): number {
  const text = env.text;
  // A prefix glued to a word (`task-…`, `disk-…`) is not a token start; Slack webhooks follow `https://`.
  const prev = at > 0 ? text.charCodeAt(at - 1) : 0;
  if (isAsciiAlnum(prev) || prev === 95) return at + 1;
  const rules = RULES_BY_FIRST.get(text.charCodeAt(at));
  if (!rules) return at + 1;
  for (const rule of rules) {
    if (!env.sink.wants(rule.type)) continue;
    rule.pattern.lastIndex = at;
    const m = rule.pattern.exec(text);
    if (!m) continue;
    const end = at + m[0].length;
    if (rule.bodyFrom !== undefined && placeholderBody(m[0].slice(rule.bodyFrom))) return end;
    const score = rule.check ? rule.check(m[0]) : rule.score;
    if (score > 0) {
      env.sink.add(rule.type, at, end, score);
      if (rule.type === 'AWS_ACCESS_KEY') findAwsSecretAfter(env, end);
      return end;
    }
  }
  return at + 1;
}

const AWS_SECRET_NEAR = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

/** An access key id is the strongest AWS context: a 40-char base64 secret shortly after it is its secret key. */
function findAwsSecretAfter(env: ScanEnv, from: number): void {
  if (!env.sink.wants('AWS_SECRET_KEY')) return;
  const windowText = env.text.slice(from, from + 120);
  AWS_SECRET_NEAR.lastIndex = 0;
  const m = AWS_SECRET_NEAR.exec(windowText);
  if (m && /[a-z]/.test(m[0]) && /[A-Z]/.test(m[0]) && /[0-9+/]/.test(m[0])) {
    env.sink.add('AWS_SECRET_KEY', from + m.index, from + m.index + 40, 0.9);
  }
}
