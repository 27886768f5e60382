/**
 * "Tighten, never loosen": a workspace's policy data may only make the organisation's rules stricter.
 * The Rego policy already applies the stricter value at run time; these checks tell the author at save
 * time which settings would have no effect (or look like they loosen something), naming the JSON path.
 */
import type { PolicyData } from '../policy-data';
import type { Issue } from './types';
import { wildcardMatch } from '../wildcard';

/** PII actions from least to most protective (policies/gateway/pii.rego). */
const ACTION_RANK: Readonly<Record<string, number>> = { allow: 0, mask: 1, hash: 2, tokenize: 3, redact: 3, block: 4 };

type Data = PolicyData | Record<string, unknown>;
const get = (data: Data, path: readonly string[]): unknown => {
  let cur: unknown = data;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
};
const record = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : {});
const strings = (v: unknown): string[] | null => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null);

/** Constraint errors of a workspace draft's data against the organisation data in force. */
export function checkOrgConstraints(ws: Data, org: Data): Issue[] {
  const issues: Issue[] = [];
  const loosen = (path: string, message: string): void => { issues.push({ kind: 'constraint', code: 'loosens_org_policy', path, message }); };

  for (const flag of ['require_zdr', 'deny_training'] as const) {
    if (get(org, ['providers', flag]) === true && get(ws, ['providers', flag]) === false) {
      loosen(`providers.${flag}`, `the organisation requires providers.${flag}; a workspace cannot turn it off`);
    }
  }

  for (const direction of ['input', 'output'] as const) {
    const orgMap = record(get(org, ['pii', direction]));
    for (const [type, action] of Object.entries(record(get(ws, ['pii', direction])))) {
      const orgAction = (type === '*' ? orgMap['*'] : orgMap[type] ?? orgMap['*']) as string | undefined;
      if (typeof action === 'string' && orgAction !== undefined && ACTION_RANK[action] < ACTION_RANK[orgAction]) {
        loosen(`pii.${direction}.${type}`, `"${action}" is less protective than the organisation's "${orgAction}" for ${type}`);
      }
    }
  }
  const orgFindings = record(get(org, ['pii', 'max_findings']));
  for (const [type, n] of Object.entries(record(get(ws, ['pii', 'max_findings'])))) {
    const limit = orgFindings[type];
    if (typeof n === 'number' && typeof limit === 'number' && n > limit) {
      loosen(`pii.max_findings.${type}`, `${n} is more than the organisation's limit of ${limit} findings of ${type}`);
    }
  }

  const orgRegions = strings(get(org, ['providers', 'allowed_regions']));
  if (orgRegions) {
    const allowed = new Set(orgRegions.map((r) => r.toLowerCase()));
    (strings(get(ws, ['providers', 'allowed_regions'])) ?? []).forEach((r, i) => {
      if (!allowed.has(r.toLowerCase())) loosen(`providers.allowed_regions[${i}]`, `region "${r}" is not allowed by the organisation (${orgRegions.join(', ')})`);
    });
  }
  for (const path of [['models', 'allow'], ['providers', 'allow_endpoints']] as const) {
    const orgList = strings(get(org, path));
    if (!orgList) continue;
    (strings(get(ws, path)) ?? []).forEach((entry, i) => {
      if (!orgList.some((p) => p === entry || wildcardMatch(p, entry))) {
        loosen(`${path.join('.')}[${i}]`, `"${entry}" is not within what the organisation allows (${orgList.join(', ')})`);
      }
    });
  }

  const orgMax = get(org, ['limits', 'max_tokens']);
  const wsMax = get(ws, ['limits', 'max_tokens']);
  if (typeof orgMax === 'number' && typeof wsMax === 'number' && wsMax > orgMax) {
    loosen('limits.max_tokens', `${wsMax} is higher than the organisation's ceiling of ${orgMax}`);
  }
  if (get(org, ['obligations', 'store_prompt']) === false && get(ws, ['obligations', 'store_prompt']) === true) {
    loosen('obligations.store_prompt', 'the organisation forbids storing prompts');
  }
  checkSpend(ws, org, loosen);
  return issues;
}

interface CapLike { scope?: unknown; window?: unknown; tag?: unknown; usd?: unknown; tokens?: unknown }

function checkSpend(ws: Data, org: Data, loosen: (path: string, message: string) => void): void {
  const caps = (d: Data): CapLike[] => (Array.isArray(get(d, ['spend', 'caps'])) ? get(d, ['spend', 'caps']) as CapLike[] : []);
  const keyOf = (c: CapLike): string => `${String(c.scope)}|${String(c.window)}|${String(c.tag ?? '')}|${c.usd !== undefined ? 'usd' : 'tokens'}`;
  const orgCaps = new Map<string, number>();
  for (const c of caps(org)) {
    const limit = Number(c.usd ?? c.tokens);
    const key = keyOf(c);
    if (Number.isFinite(limit)) orgCaps.set(key, Math.min(limit, orgCaps.get(key) ?? Infinity));
  }
  caps(ws).forEach((c, i) => {
    const orgLimit = orgCaps.get(keyOf(c));
    const limit = Number(c.usd ?? c.tokens);
    if (orgLimit !== undefined && limit > orgLimit) {
      const unit = c.usd !== undefined ? 'usd' : 'tokens';
      loosen(`spend.caps[${i}].${unit}`, `the ${String(c.scope)} cap per ${String(c.window)} (${limit} ${unit}) is higher than the organisation's (${orgLimit} ${unit})`);
    }
  });
  for (const scope of ['key', 'workspace'] as const) {
    for (const name of ['rpm', 'tpm', 'max_parallel'] as const) {
      const o = get(org, ['spend', 'rate_limits', scope, name]);
      const w = get(ws, ['spend', 'rate_limits', scope, name]);
      if (typeof o === 'number' && typeof w === 'number' && w > o) {
        loosen(`spend.rate_limits.${scope}.${name}`, `${w} is higher than the organisation's ${name} of ${o}`);
      }
    }
  }
}
