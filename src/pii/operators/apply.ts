/**
 * Operators: what happens to each finding. `redact` → `<TYPE>`, `mask` → all but the last N letters/digits
 * become `*` (separators kept), `hash` → `<TYPE:hmac>` (HMAC-SHA256 with the workspace key, stable across
 * requests), `tokenize` → `<TYPE_n>` kept in the request's vault, `block` → redacted and reported so the caller
 * refuses, `allow` → untouched.
 */
import { createHmac } from 'node:crypto';
import type { PiiAction, PiiActionMap, PiiFinding } from '../types';
import type { TokenVault } from './vault';

export const PII_ACTIONS: readonly PiiAction[] = ['redact', 'mask', 'hash', 'tokenize', 'block', 'allow'];

export interface OperatorOptions {
  /** HMAC key of the workspace; required when any action is `hash`. */
  hashKey?: string | Buffer;
  /** Characters left visible by `mask` (default 4). */
  maskKeep?: number;
  /** Mask character (default `*`). */
  maskChar?: string;
  /** The request's vault; required when any action is `tokenize`. */
  vault?: TokenVault;
}

export interface AppliedFinding extends PiiFinding {
  action: PiiAction;
}

export interface TransformResult {
  text: string;
  findings: AppliedFinding[];
  /** True when at least one finding's action is `block`: the caller must refuse. */
  blocked: boolean;
  blockedTypes: string[];
}

export class PiiActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PiiActionError';
  }
}

/** Validates an action map once (unknown actions, missing key/vault) so per-text application cannot fail. */
export function validateActionMap(actions: PiiActionMap, options: OperatorOptions = {}): void {
  if (!actions || typeof actions !== 'object') throw new PiiActionError('actions must be an object');
  for (const [type, action] of Object.entries(actions)) {
    if (!PII_ACTIONS.includes(action)) throw new PiiActionError(`unknown action ${JSON.stringify(action)} for ${type}`);
    if (action === 'hash' && (options.hashKey === undefined || options.hashKey.length === 0)) {
      throw new PiiActionError(`action "hash" for ${type} needs a workspace hashKey`);
    }
    if (action === 'tokenize' && !options.vault) throw new PiiActionError(`action "tokenize" for ${type} needs a vault`);
  }
  const keep = options.maskKeep;
  if (keep !== undefined && !(Number.isInteger(keep) && keep >= 0 && keep <= 64)) {
    throw new PiiActionError('maskKeep must be an integer in [0, 64]');
  }
}

export function actionFor(actions: PiiActionMap, type: string): PiiAction {
  return actions[type] ?? actions['*'] ?? 'allow';
}

function mask(value: string, keep: number, maskChar: string): string {
  const chars = Array.from(value); // code points: never split a surrogate pair
  let visible = 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    if (!/[\p{L}\p{N}]/u.test(chars[i]!)) continue;
    if (visible < keep) visible++;
    else chars[i] = maskChar;
  }
  return chars.join('');
}

function hmac(key: string | Buffer, type: string, value: string): string {
  return createHmac('sha256', key).update(type).update('\u0000').update(value).digest('hex').slice(0, 16);
}

/** Replacement text for one finding under one action (`allow` returns the original). */
export function replacementFor(
  action: PiiAction,
  type: string,
  value: string,
  options: OperatorOptions,
): string {
  switch (action) {
    case 'allow':
      return value;
    case 'redact':
    case 'block':
      return `<${type}>`;
    case 'mask':
      return mask(value, options.maskKeep ?? 4, options.maskChar ?? '*');
    case 'hash':
      if (options.hashKey === undefined) throw new PiiActionError('action "hash" needs a workspace hashKey');
      return `<${type}:${hmac(options.hashKey, type, value)}>`;
    case 'tokenize':
      if (!options.vault) throw new PiiActionError('action "tokenize" needs a vault');
      return options.vault.tokenize(type, value);
  }
}

/** Applies the action map to `findings` (sorted, non-overlapping, as `scan` returns them) in `text`. */
export function applyPiiActions(
  text: string,
  findings: readonly PiiFinding[],
  actions: PiiActionMap,
  options: OperatorOptions = {},
): TransformResult {
  const applied: AppliedFinding[] = [];
  const blockedTypes: string[] = [];
  let out = '';
  let last = 0;
  for (const f of findings) {
    const action = actionFor(actions, f.type);
    applied.push({ type: f.type, start: f.start, end: f.end, score: f.score, action });
    if (action === 'block' && !blockedTypes.includes(f.type)) blockedTypes.push(f.type);
    if (action === 'allow' || f.start < last) continue;
    out += text.slice(last, f.start) + replacementFor(action, f.type, text.slice(f.start, f.end), options);
    last = f.end;
  }
  if (last === 0) out = text;
  else out += text.slice(last);
  return { text: out, findings: applied, blocked: blockedTypes.length > 0, blockedTypes };
}
