import { z } from 'zod';
import { PII_ACTIONS, PII_ENTITY_TYPES } from '../pii';
import { spendPolicySchema } from '../spend';

/**
 * Policy data of an organisation (defaults) or a workspace: the knobs the default Rego policy
 * reads (policies/gateway/*.rego). The zod schema is the source of truth; the JSON Schema in
 * policies/schema/policy-data.schema.json is generated from it (a test keeps them equal).
 */

const glob = z.string().min(1).max(200);
const country = z.string().regex(/^[A-Za-z]{2}$/, 'an ISO 3166-1 alpha-2 country code');
const region = z.string().min(1).max(40);
const action = z.enum(PII_ACTIONS as unknown as [string, ...string[]]);
const entityKey = z.string().regex(/^(\*|[A-Z][A-Z0-9_]{1,63})$/, 'an entity type such as EMAIL_ADDRESS, or *');

export const policyDataSchema = z.strictObject({
  providers: z.strictObject({
    require_zdr: z.boolean().optional(),
    deny_training: z.boolean().optional(),
    blocked_jurisdictions: z.array(country).max(250).optional(),
    allowed_regions: z.array(region).max(50).optional(),
    required_certifications: z.array(z.string().min(1).max(80)).max(20).optional(),
    allow_endpoints: z.array(glob).max(500).optional(),
    deny_endpoints: z.array(glob).max(500).optional(),
  }).optional(),
  models: z.strictObject({
    allow: z.array(glob).max(500).optional(),
    deny: z.array(glob).max(500).optional(),
  }).optional(),
  pii: z.strictObject({
    input: z.record(entityKey, action).optional(),
    output: z.record(entityKey, action).optional(),
    max_findings: z.record(entityKey, z.number().int().nonnegative()).optional(),
  }).optional(),
  limits: z.strictObject({
    max_tokens: z.number().int().positive().optional(),
  }).optional(),
  metadata: z.strictObject({
    required: z.array(z.strictObject({
      header: z.string().regex(/^x-[a-z0-9-]{1,60}$/, 'a lowercase header name starting with x-'),
      models: z.array(glob).max(100).optional(),
    })).max(20).optional(),
  }).optional(),
  routing: z.strictObject({
    sort: z.enum(['priority', 'price', 'latency']).optional(),
  }).optional(),
  obligations: z.strictObject({
    store_prompt: z.boolean().optional(),
  }).optional(),
  /** Spend caps and rate limits (read by src/spend). */
  spend: spendPolicySchema.optional(),
});

export type PolicyData = z.infer<typeof policyDataSchema>;

export class PolicyDataError extends Error {
  constructor(readonly issues: Array<{ path: string; message: string }>) {
    super(`invalid policy data: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'PolicyDataError';
  }
}

const pathText = (path: ReadonlyArray<PropertyKey>): string =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');

/** Validates policy data; throws PolicyDataError naming every offending path. */
export function validatePolicyData(data: unknown): PolicyData {
  const result = policyDataSchema.safeParse(data);
  if (!result.success) {
    throw new PolicyDataError(result.error.issues.map((i) => ({ path: pathText(i.path), message: i.message })));
  }
  return result.data;
}

/** Entity types named in the data that no recognizer produces (likely typos); warnings, not errors. */
export function unknownEntityTypes(data: PolicyData): string[] {
  const known = new Set<string>([...PII_ENTITY_TYPES, '*']);
  const named = [data.pii?.input, data.pii?.output, data.pii?.max_findings].flatMap((m) => Object.keys(m ?? {}));
  return [...new Set(named.filter((t) => !known.has(t)))];
}

export function policyDataJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://gatehouse.dev/schema/policy-data.json',
    title: 'Gatehouse policy data (organisation defaults or workspace)',
    ...z.toJSONSchema(policyDataSchema),
  };
}
