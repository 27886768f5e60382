import { checkOrgConstraints, diffData, diffModules } from '../../../src/policy/lifecycle';
import { wildcardMatch } from '../../../src/policy';

describe('organisation constraints: tighten, never loosen', () => {
  const org = {
    providers: { require_zdr: true, deny_training: true, allowed_regions: ['eu', 'ch'], allow_endpoints: ['mock-*'] },
    models: { allow: ['demo-*', 'gpt-4o*'] },
    pii: { input: { '*': 'mask', EMAIL_ADDRESS: 'tokenize' }, output: { CREDIT_CARD: 'redact' }, max_findings: { PERSON: 5 } },
    limits: { max_tokens: 4000 },
    obligations: { store_prompt: false },
    spend: { caps: [{ scope: 'workspace', window: 'month', usd: 500 }], rate_limits: { key: { rpm: 60 } } },
  };
  const paths = (ws: Record<string, unknown>) => checkOrgConstraints(ws, org).map((i) => i.path);

  test('tightening or repeating the organisation is fine', () => {
    expect(paths({
      providers: { require_zdr: true, allowed_regions: ['EU'], allow_endpoints: ['mock-eu'] },
      models: { allow: ['demo-chat', 'gpt-4o-mini'] },
      pii: { input: { EMAIL_ADDRESS: 'block', PHONE_NUMBER: 'redact', '*': 'hash' }, output: { CREDIT_CARD: 'tokenize' }, max_findings: { PERSON: 2 } },
      limits: { max_tokens: 1000 }, obligations: { store_prompt: false },
      spend: { caps: [{ scope: 'workspace', window: 'month', usd: 100 }, { scope: 'user', window: 'day', usd: 900 }], rate_limits: { key: { rpm: 30 } } },
    })).toEqual([]);
  });

  test('each way of loosening is reported at its path', () => {
    expect(paths({
      providers: { require_zdr: false, deny_training: false, allowed_regions: ['eu', 'us'], allow_endpoints: ['*'] },
      models: { allow: ['demo-chat', 'claude-*'] },
      pii: { input: { EMAIL_ADDRESS: 'mask', PHONE_NUMBER: 'allow', '*': 'allow' }, output: { CREDIT_CARD: 'allow' }, max_findings: { PERSON: 9 } },
      limits: { max_tokens: 8000 }, obligations: { store_prompt: true },
      spend: { caps: [{ scope: 'workspace', window: 'month', usd: 5000 }], rate_limits: { key: { rpm: 600 } } },
    })).toEqual([
      'providers.require_zdr', 'providers.deny_training',
      'pii.input.EMAIL_ADDRESS', 'pii.input.PHONE_NUMBER', 'pii.input.*', 'pii.output.CREDIT_CARD', 'pii.max_findings.PERSON',
      'providers.allowed_regions[1]', 'models.allow[1]', 'providers.allow_endpoints[0]',
      'limits.max_tokens', 'obligations.store_prompt', 'spend.caps[0].usd', 'spend.rate_limits.key.rpm',
    ]);
  });

  test('wildcards match like glob.match without delimiters', () => {
    expect(wildcardMatch('gpt-4o*', 'gpt-4o-mini')).toBe(true);
    expect(wildcardMatch('gpt-*', 'gpt-4o*')).toBe(true);
    expect(wildcardMatch('gpt-4o*', 'gpt-*')).toBe(false);
    expect(wildcardMatch('a*a*a*a*b', 'a'.repeat(2000))).toBe(false);
  });
});

describe('diff', () => {
  test('data: leaves added, removed and changed, lists as whole values', () => {
    expect(diffData(
      { pii: { input: { EMAIL_ADDRESS: 'mask', PHONE_NUMBER: 'redact' } }, models: { allow: ['a'] } },
      { pii: { input: { EMAIL_ADDRESS: 'block' } }, models: { allow: ['a', 'b'] }, limits: { max_tokens: 10 } },
    )).toEqual([
      { path: 'limits', op: 'add', after: { max_tokens: 10 } },
      { path: 'models.allow', op: 'change', before: ['a'], after: ['a', 'b'] },
      { path: 'pii.input.EMAIL_ADDRESS', op: 'change', before: 'mask', after: 'block' },
      { path: 'pii.input.PHONE_NUMBER', op: 'remove', before: 'redact' },
    ]);
  });

  test('modules: unified diffs per file', () => {
    const out = diffModules(
      [{ path: 'a.rego', source: 'package x\n\np := 1\n' }, { path: 'gone.rego', source: 'package y\n' }, { path: 'same.rego', source: 'package z\n' }],
      [{ path: 'a.rego', source: 'package x\n\np := 2\n' }, { path: 'new.rego', source: 'package n\n' }, { path: 'same.rego', source: 'package z\n' }],
    );
    expect(out.map((m) => [m.path, m.status])).toEqual([['a.rego', 'changed'], ['gone.rego', 'removed'], ['new.rego', 'added'], ['same.rego', 'unchanged']]);
    expect(out[0].unified).toContain('-p := 1');
    expect(out[0].unified).toContain('+p := 2');
    expect(out[0].unified).toContain('--- a/a.rego');
    expect(out[3].unified).toBe('');
  });
});
