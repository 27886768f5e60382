/** semver.is_valid and semver.compare (Semantic Versioning 2.0, as OPA's go-semver port). */
import { named, str, operandError } from './args';
import type { BuiltinDef } from './types';

interface SemVer {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: string[];
}

const SEMVER = /^([0-9]+)\.([0-9]+)\.([0-9]+)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export function parseSemVer(s: string): SemVer | undefined {
  const m = SEMVER.exec(s);
  if (!m) return undefined;
  return { major: BigInt(m[1]), minor: BigInt(m[2]), patch: BigInt(m[3]), pre: m[4] ? m[4].split('.') : [] };
}

function cmp<T extends bigint | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Pre-release precedence: numeric identifiers sort below alphanumeric ones; more fields win ties. */
function comparePre(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; ; i++) {
    if (i === a.length || i === b.length) return a.length === b.length ? 0 : i === a.length ? -1 : 1;
    const an = /^[0-9]+$/.test(a[i]);
    const bn = /^[0-9]+$/.test(b[i]);
    if (an !== bn) return an ? -1 : 1;
    const c = an ? cmp(BigInt(a[i]), BigInt(b[i])) : cmp(a[i], b[i]);
    if (c !== 0) return c;
  }
}

export function compareSemVer(a: SemVer, b: SemVer): number {
  return cmp(a.major, b.major) || cmp(a.minor, b.minor) || cmp(a.patch, b.patch) || comparePre(a.pre, b.pre);
}

function version(args: Parameters<typeof str>[0], i: number): SemVer {
  const s = str(args, i);
  const v = parseSemVer(s);
  if (!v) throw operandError(i + 1, `string ${JSON.stringify(s)} is not a valid SemVer`);
  return v;
}

export const builtins: BuiltinDef[] = named([
  {
    // Any non-string, or a malformed string, is simply not valid (no error), as in OPA.
    name: 'semver.is_valid',
    arity: 1,
    fn: (args) => typeof args[0] === 'string' && parseSemVer(args[0]) !== undefined,
  },
  {
    name: 'semver.compare',
    arity: 2,
    fn: (args) => compareSemVer(version(args, 0), version(args, 1)),
  },
]);
