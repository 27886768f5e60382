/**
 * Per-call cost of the builtins a gateway policy leans on, called directly through the registry
 * (compiled regexes and globs come from their caches after the first call). Prints ns/call.
 * Run: npm run bench:rego-builtins
 */
import { BUILTINS } from '../../src/policy/rego/builtins';
import type { BuiltinContext } from '../../src/policy/rego/builtins';
import { fromJSON, RegoSet } from '../../src/policy/rego/value';
import type { Value } from '../../src/policy/rego/value';

const ctx: BuiltinContext = { strict: false, nowNs: () => 1703444325734390000n, print: () => undefined, cache: new Map() };

const cases: [string, Value[]][] = [
  ['startswith', ['gpt-4o-mini-2024-07-18', 'gpt-4o']],
  ['concat', ['/', ['a', 'b', 'c', 'd']]],
  ['sprintf', ['model %s is not allowed for workspace %s (%d tokens)', ['gpt-4o', 'acme', 1200]]],
  ['lower', ['Content-Type']],
  ['regex.match', ['^(gpt-4|claude-3)[a-z0-9.-]*$', 'claude-3-5-sonnet-20241022']],
  ['glob.match', ['api.*.openai.com', ['.'], 'api.eu.openai.com']],
  ['net.cidr_contains', ['10.0.0.0/8', '10.20.30.40']],
  ['time.parse_rfc3339_ns', ['2024-05-01T12:30:00.123Z']],
  ['time.clock', [[1703444325734390000, 'Europe/Paris']]],
  ['object.get', [fromJSON({ limits: { daily: { usd: 5 } } }), ['limits', 'daily', 'usd'], 0]],
  ['json.marshal', [fromJSON({ code: 'model_not_allowed', message: 'x', n: [1, 2, 3] })]],
  ['sum', [[1.5, 2, 3, 4, 5, 6, 7, 8, 9, 10]]],
  ['intersection', [new RegoSet([new RegoSet(['eu', 'us', 'uk']), new RegoSet(['eu', 'ch'])])]],
  ['units.parse_bytes', ['512KiB']],
  ['semver.compare', ['1.10.2', '1.9.0-rc.1']],
  ['crypto.sha256', ['user-1234:workspace-acme']],
];

function bench(name: string, args: Value[]): void {
  const def = BUILTINS.get(name);
  if (!def) throw new Error(`unknown builtin ${name}`);
  for (let i = 0; i < 20_000; i++) def.fn(args, ctx);
  const n = 200_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) def.fn(args, ctx);
  const ns = Number(process.hrtime.bigint() - t0) / n;
  console.log(`${name.padEnd(24)} ${ns.toFixed(0).padStart(7)} ns/call`);
}

console.log(`rego builtins bench (${BUILTINS.size} builtins registered)`);
for (const [name, args] of cases) bench(name, args);
