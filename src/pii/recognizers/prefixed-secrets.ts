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
  /** Sticky pattern matched at the prefix position. */
  pattern: RegExp;
  score: number;
  /** Optional validator: returns the score to use (0 drops the match). */
  check?: (value: string) => number;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** GitHub classic tokens end with the base62 CRC32 of their 30 random characters. */
function githubChecksum(value: string): number {
  const body = value.slice(4, 34);
  const tail = value.slice(34);
  let n = 0;
  for (const ch of tail) n = n * 62 + BASE62.indexOf(ch);
  return n === crc32Ascii(body) ? 1 : 0.75;
}

/** Alternatives for the combined prefilter (regex source) and the rules tried at each. */
export const SECRET_PREFIX_SOURCE =
  'A(?:KIA|SIA|BIA|CCA|GPA|IDA|ROA|IPA|NPA|NVA|PKA)[A-Z0-9]|AIza|gh[pousr]_|github_pat_|xox[abposre]-|xapp-|' +
  '[sr]k_(?:live|test)_|whsec_|sk-|hooks\\.slack\\.com/|(?:bc|tb|BC|TB)1';

const RULES: ReadonlyArray<PrefixRule> = [
  { type: 'AWS_ACCESS_KEY', pattern: /A(?:KIA|SIA|BIA|CCA|GPA|IDA|ROA|IPA|NPA|NVA|PKA)[A-Z0-9]{16}(?![A-Za-z0-9])/y, score: 0.95 },
  { type: 'GOOGLE_API_KEY', pattern: /AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/y, score: 0.95 },
  { type: 'GITHUB_TOKEN', pattern: /gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/y, score: 0.75, check: githubChecksum },
  { type: 'GITHUB_TOKEN', pattern: /github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}(?![A-Za-z0-9_])/y, score: 1 },
  { type: 'GITHUB_TOKEN', pattern: /github_pat_[A-Za-z0-9_]{30,255}/y, score: 0.85 },
  { type: 'SLACK_TOKEN', pattern: /xox[abposre]-[0-9A-Za-z]+(?:-[0-9A-Za-z]+){1,6}/y, score: 0.95 },
  { type: 'SLACK_TOKEN', pattern: /xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+/y, score: 0.95 },
  { type: 'SLACK_TOKEN', pattern: /hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9]+\/[A-Za-z0-9]+\/[A-Za-z0-9]+/y, score: 0.95 },
  { type: 'STRIPE_KEY', pattern: /[sr]k_(?:live|test)_[0-9A-Za-z]{10,247}(?![A-Za-z0-9])/y, score: 0.95 },
  { type: 'STRIPE_KEY', pattern: /whsec_[0-9A-Za-z]{24,}(?![A-Za-z0-9])/y, score: 0.9 },
  { type: 'ANTHROPIC_API_KEY', pattern: /sk-ant-(?:api|admin|sid)\d{2}-[A-Za-z0-9_-]{20,400}/y, score: 1 },
  { type: 'ANTHROPIC_API_KEY', pattern: /sk-ant-[A-Za-z0-9_-]{20,400}/y, score: 0.9 },
  { type: 'OPENAI_API_KEY', pattern: /sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}(?![A-Za-z0-9_-])/y, score: 1 },
  { type: 'OPENAI_API_KEY', pattern: /sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,400}/y, score: 0.95 },
  { type: 'OPENAI_API_KEY', pattern: /sk-[A-Za-z0-9]{32,200}(?![A-Za-z0-9_-])/y, score: 0.8 },
  { type: 'CRYPTO', pattern: /(?:bc|tb|BC|TB)1[02-9ac-hj-np-zAC-HJ-NP-Z]{8,87}(?![A-Za-z0-9])/y, score: 0.95, check: (v) => (bech32Valid(v) ? 0.95 : 0) },
];

/** Called at a prefilter hit of SECRET_PREFIX_SOURCE; returns where to resume. */
export function onSecretPrefix(env: ScanEnv, at: number): number {
  const text = env.text;
  // A prefix glued to a word (`task-…`, `disk-…`) is not a token start; Slack webhooks follow `https://`.
  const prev = at > 0 ? text.charCodeAt(at - 1) : 0;
  if (isAsciiAlnum(prev) || prev === 95) return at + 1;
  for (const rule of RULES) {
    if (!env.sink.wants(rule.type)) continue;
    rule.pattern.lastIndex = at;
    const m = rule.pattern.exec(text);
    if (!m) continue;
    const end = at + m[0].length;
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
