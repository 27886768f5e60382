import { BuiltinError } from '../../../../src/policy/rego/builtins';
import { call, json, v } from './helpers';

const schema = v({
  type: 'object',
  properties: {
    id: { type: 'integer', minimum: 1 },
    name: { type: 'string', minLength: 2, pattern: '^[a-z]+$' },
    tags: { type: 'array', items: { type: 'string' }, uniqueItems: true, maxItems: 3 },
    kind: { enum: ['a', 'b'] },
  },
  required: ['id', 'name'],
  additionalProperties: false,
});

describe('json.match_schema / json.verify_schema', () => {
  test('a valid document', () => {
    expect(json('json.match_schema', v({ id: 5, name: 'ab', tags: ['x'], kind: 'a' }), schema)).toEqual([true, []]);
  });
  test('errors in gojsonschema shape', () => {
    const [ok, errors] = json('json.match_schema', v({ id: 0, name: 'A', tags: ['x', 'x'], kind: 'c', extra: 1 }), schema) as [boolean, { field: string; type: string; error: string }[]];
    expect(ok).toBe(false);
    expect(errors.map((e) => `${e.type} ${e.field}`).sort()).toEqual([
      'additional_property_not_allowed (root)', 'enum kind', 'number_gte id', 'pattern name', 'string_gte name', 'unique tags',
    ]);
    expect(errors.find((e) => e.type === 'number_gte')?.error).toBe('id: Must be greater than or equal to 1');
    const [, missing] = json('json.match_schema', v({}), schema) as [boolean, { desc: string }[]];
    expect(missing.map((e) => e.desc).sort()).toEqual(['id is required', 'name is required']);
  });
  test('schemas and documents as JSON strings, $ref, combinators, conditionals', () => {
    const s = JSON.stringify({ $ref: '#/definitions/a', definitions: { a: { anyOf: [{ type: 'string' }, { type: 'object', required: ['n'] }] } } });
    expect(json('json.match_schema', '"text"', s)).toEqual([true, []]);
    expect((json('json.match_schema', '{}', s) as unknown[])[0]).toBe(false);
    const cond = v({ if: { properties: { t: { const: 'x' } } }, then: { required: ['x'] }, else: { required: ['y'] } });
    expect((json('json.match_schema', v({ t: 'x', x: 1 }), cond) as unknown[])[0]).toBe(true);
    expect((json('json.match_schema', v({ t: 'z', x: 1 }), cond) as unknown[])[0]).toBe(false);
    expect((json('json.match_schema', 5, v({ oneOf: [{ type: 'integer' }, { type: 'number' }] })) as unknown[])[0]).toBe(false);
    expect((json('json.match_schema', 5, v({ not: { type: 'string' } })) as unknown[])[0]).toBe(true);
  });
  test('verify_schema', () => {
    expect(json('json.verify_schema', schema)).toEqual([true, null]);
    expect((json('json.verify_schema', '{"type":"strin"}') as unknown[])[0]).toBe(false);
    expect((json('json.verify_schema', v({ pattern: '(a' })) as unknown[])[0]).toBe(false);
    expect((json('json.verify_schema', v({ $ref: '#/definitions/none' })) as unknown[])[0]).toBe(false);
    expect((json('json.verify_schema', '{not json') as unknown[])[0]).toBe(false);
    expect(json('json.verify_schema', v({ enum: [{ type: 'not-a-type' }] }))).toEqual([true, null]);
  });
  test('bad input', () => {
    expect(() => call('json.match_schema', v({}), 5)).toThrow(BuiltinError);
    expect(() => call('json.match_schema', v({}), v({ $ref: 'http://example.com/s.json' }))).toThrow(/unsupported \$ref/);
    expect(() => call('json.match_schema', 1, v({ $ref: '#' }))).toThrow(/too deep/);
  });
});
