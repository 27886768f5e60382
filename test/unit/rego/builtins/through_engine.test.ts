/** Builtins as policies reach them: through the compiler and evaluator. */
import { RegoProgram, toJSON } from '../../../../src/policy/rego';

function evalDoc(source: string, path: string[], input?: unknown, strict?: boolean): unknown {
  const p = new RegoProgram([{ path: 'p.rego', source }], {});
  const r = p.evaluateDocument(path, { input, strict });
  return r === undefined ? undefined : toJSON(r);
}

describe('builtins through the engine', () => {
  test('walk is a relation', () => {
    const src = `package t
paths contains p if { walk(input, [p, v]); is_number(v) }`;
    expect(evalDoc(src, ['t', 'paths'], { a: { b: 1 }, c: [2, 'x'] })).toEqual([['a', 'b'], ['c', 0]]);
  });
  test('builtin errors: undefined by default, errors when strict', () => {
    const src = `package t
x := to_number("abc")
y := sum([1, 2])`;
    expect(evalDoc(src, ['t'], undefined, false)).toEqual({ y: 3 });
    expect(() => evalDoc(src, ['t'], undefined, true)).toThrow(/to_number: strconv.ParseFloat/);
  });
  test('non-deterministic builtins are stable within one evaluation', () => {
    const src = `package t
same if { uuid.rfc4122("k") == uuid.rfc4122("k"); time.now_ns() == time.now_ns() }`;
    expect(evalDoc(src, ['t', 'same'])).toBe(true);
  });
  test('a gateway-style rule using several families', () => {
    const src = `package t
deny contains msg if {
  some c in input.candidates
  not glob.match("*.eu.example.com", ["."], c.host)
  msg := sprintf("endpoint %s (%s) is outside the EU", [c.id, c.host])
}
in_office if net.cidr_contains("10.0.0.0/8", input.ip)
tier := "large" if units.parse_bytes(input.size) > units.parse_bytes("1MiB") else := "small"`;
    const input = { ip: '10.2.3.4', size: '2MB', candidates: [{ id: 'a', host: 'api.eu.example.com' }, { id: 'b', host: 'api.us.example.com' }] };
    expect(evalDoc(src, ['t'], input)).toEqual({ deny: ['endpoint b (api.us.example.com) is outside the EU'], in_office: true, tier: 'large' });
  });
});
