import { readFileSync } from 'node:fs';
import path from 'node:path';
import { policyDataJsonSchema, readDecision, DecisionShapeError } from '../../../src/policy';

describe('policy data schema and decisions', () => {
  test('the committed JSON Schema is the one generated from the zod schema', () => {
    const committed = JSON.parse(readFileSync(path.resolve(__dirname, '../../../policies/schema/policy-data.schema.json'), 'utf8'));
    expect(committed).toEqual(policyDataJsonSchema());
  });

  test('a malformed decision fails closed; deny reasons override allow', () => {
    expect(() => readDecision(undefined)).toThrow(DecisionShapeError);
    expect(() => readDecision({ allow: 'yes' })).toThrow(DecisionShapeError);
    const d = readDecision({ allow: true, deny: [{ code: 'x', message: 'no', rule: 'r' }], allowed_endpoints: ['a', 3] });
    expect(d.allow).toBe(false);
    expect(d.allowedEndpoints).toEqual(['a']);
  });
});
