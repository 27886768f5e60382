import { BuiltinError } from '../../../../src/policy/rego/builtins';
import { call } from './helpers';

describe('regex (RE2)', () => {
  test('match, is_valid and Go syntax', () => {
    expect(call('regex.match', '^[a-z]+@example\\.com$', 'bob@example.com')).toBe(true);
    expect(call('regex.match', '(?i)HELLO', 'say hello')).toBe(true);
    expect(call('regex.match', '\\pL+\\d', 'é1')).toBe(true);
    expect(call('regex.is_valid', '(?P<name>a+)')).toBe(true);
    expect(call('regex.is_valid', '(a')).toBe(false);
    expect(call('regex.is_valid', 5)).toBe(false);
    expect(() => call('regex.match', '(a', 'a')).toThrow(/^regex\.match: error parsing regexp: /);
  });
  test('RE2 rejects backreferences and lookaround instead of backtracking', () => {
    expect(call('regex.is_valid', '(a)\\1')).toBe(false);
    expect(call('regex.is_valid', 'a(?=b)')).toBe(false);
  });
  test('pathological patterns run in linear time', () => {
    const evil = 'a'.repeat(50_000) + '!';
    expect(call('regex.match', '^(a+)+$', evil)).toBe(false);
    expect(call('regex.match', '(a|aa)*b', evil)).toBe(false);
  });
  test('find_n and submatches follow Go FindAll', () => {
    expect(call('regex.find_n', 'a.', 'abacad', -1)).toEqual(['ab', 'ac', 'ad']);
    expect(call('regex.find_n', 'a.', 'abacad', 2)).toEqual(['ab', 'ac']);
    expect(call('regex.find_n', 'x*', 'axb', -1)).toEqual(['', 'x', '']);
    expect(call('regex.find_all_string_submatch_n', '(a)(x)?(.)', 'abacad', -1)).toEqual([['ab', 'a', '', 'b'], ['ac', 'a', '', 'c'], ['ad', 'a', '', 'd']]);
  });
  test('split and replace', () => {
    expect(call('regex.split', ',\\s*', 'a, b,c')).toEqual(['a', 'b', 'c']);
    expect(call('regex.split', 'a*', 'baaac')).toEqual(['b', 'c']);
    expect(call('regex.split', 'x', '')).toEqual(['']);
    expect(call('regex.replace', 'hello world', '(?P<first>\\w+) (\\w+)', '$2 ${first} $$')).toBe('world hello $');
    expect(call('regex.replace', 'aaa', 'a', 'b')).toBe('bbb');
    expect(call('regex.replace', 'abc', 'z', 'y')).toBe('abc');
    expect(call('regex.replace', 'a-b', '(\\w)', '[$1x]')).toBe('[]-[]');
    expect(call('regex.replace', 'a-b', '(\\w)', '[${1}x]')).toBe('[ax]-[bx]');
  });
  test('template_match', () => {
    expect(call('regex.template_match', 'urn:foo:{.*}', 'urn:foo:bar:baz', '{', '}')).toBe(true);
    expect(call('regex.template_match', 'urn:foo.bar.com:{.*}', 'urn:foo.bar.com:bar:baz', '{', '}')).toBe(true);
    expect(call('regex.template_match', 'urn:foo.bar.com:{.*}', 'urn:foo.com:bar:baz', '{', '}')).toBe(false);
    expect(call('regex.template_match', 'urn:foo:<[0-9]{2}>', 'urn:foo:42', '<', '>')).toBe(true);
    expect(() => call('regex.template_match', 'urn:{.*', 'x', '{', '}')).toThrow(BuiltinError);
    expect(() => call('regex.template_match', 'x', 'x', '{{', '}')).toThrow(BuiltinError);
  });
});

describe('regex.globs_match', () => {
  test('non-empty intersection of two glob-style patterns', () => {
    expect(call('regex.globs_match', 'a.a.[0-9]+z', '.b.b2359825792*594823z')).toBe(true);
    expect(call('regex.globs_match', 'ab+c', 'a.*c')).toBe(true);
    expect(call('regex.globs_match', '[a-c]x', '[c-e]x')).toBe(true);
    expect(call('regex.globs_match', '[a-b]x', '[c-e]x')).toBe(false);
    expect(call('regex.globs_match', 'a*', 'b*')).toBe(false);
    expect(call('regex.globs_match', 'a\\.b', 'axb')).toBe(false);
    expect(() => call('regex.globs_match', '[a', 'b')).toThrow(BuiltinError);
    expect(() => call('regex.globs_match', '*a', 'b')).toThrow(BuiltinError);
  });
});

describe('glob', () => {
  test('OPA documentation examples', () => {
    expect(call('glob.match', '*.github.com', [], 'api.github.com')).toBe(true);
    expect(call('glob.match', '*.github.com', [], 'api.cdn.github.com')).toBe(false);
    expect(call('glob.match', '*hub.com', null, 'api.cdn.github.com')).toBe(true);
    expect(call('glob.match', '*:github:com', [':'], 'api:github:com')).toBe(true);
    expect(call('glob.match', 'api.**.com', [], 'api.cdn.github.com')).toBe(true);
    expect(call('glob.match', '?at', [], 'at')).toBe(false);
    expect(call('glob.match', '[!a-c]at', [], 'lat')).toBe(true);
    expect(call('glob.match', '[!abc]at', [], 'cat')).toBe(false);
    expect(call('glob.match', '{cat,bat,[fr]at}', [], 'rat')).toBe(true);
    expect(call('glob.match', '{cat,bat,[fr]at}', [], 'at')).toBe(false);
  });
  test('escapes, nested alternatives, regex metacharacters are literal', () => {
    expect(call('glob.match', 'a\\*b', [], 'a*b')).toBe(true);
    expect(call('glob.match', 'a\\*b', [], 'axb')).toBe(false);
    expect(call('glob.match', '{a,{b,c}d}', [], 'cd')).toBe(true);
    expect(call('glob.match', 'a+(b)|c', [], 'a+(b)|c')).toBe(true);
    expect(call('glob.match', 'line*', null, 'line1\nline2')).toBe(true);
  });
  test('bad patterns and arguments are errors', () => {
    expect(() => call('glob.match', '[abc', [], 'a')).toThrow(BuiltinError);
    expect(() => call('glob.match', '{a,b', [], 'a')).toThrow(BuiltinError);
    expect(() => call('glob.match', 'a', 'x', 'a')).toThrow('glob.match: operand 2 must be one of {array, null} but got string');
    expect(() => call('glob.match', 'a', ['ab'], 'a')).toThrow(BuiltinError);
  });
  test('quote_meta escapes glob syntax', () => {
    expect(call('glob.quote_meta', '*.github.com')).toBe('\\*.github.com');
    expect(call('glob.match', call('glob.quote_meta', '{a}[b]?*') as string, [], '{a}[b]?*')).toBe(true);
  });
});
