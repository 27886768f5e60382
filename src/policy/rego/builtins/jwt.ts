/**
 * JSON Web Tokens (JWS compact serialization): io.jwt.decode, io.jwt.verify_{hs,rs,ps,es}{256,384,512},
 * io.jwt.decode_verify with OPA's constraints (cert|secret, alg, iss, aud, time), and signing with
 * io.jwt.encode_sign / encode_sign_raw (key as a JWK).
 * Verification keys: PEM certificates, PEM public keys, or a JWK / JWK Set as JSON.
 */
import { createHmac, createPrivateKey, createPublicKey, sign as cryptoSign, timingSafeEqual, verify as cryptoVerify, X509Certificate, constants } from 'node:crypto';
import type { JsonWebKeyInput, KeyObject } from 'node:crypto';
import { named, obj, str } from './args';
import { marshal } from './encoding';
import { BuiltinError } from './types';
import type { BuiltinDef, BuiltinContext } from './types';
import { isObject, makeObject, objectEntries, objectGet } from '../value';
import type { PlainObject, RegoObject, Value } from '../value';

interface Token {
  header: string;
  payload: string;
  signature: Buffer;
  decodedHeader: PlainObject | RegoObject;
}

const B64URL = /^[A-Za-z0-9_-]*={0,2}$/;

function b64url(part: string, what: string): Buffer {
  if (!B64URL.test(part) || part.replace(/=+$/, '').length % 4 === 1) throw new BuiltinError(`JWT ${what} had invalid encoding`);
  return Buffer.from(part, 'base64url');
}

function jsonObject(text: string, what: string): PlainObject | RegoObject {
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch (e) {
    throw new BuiltinError(`bad JWT ${what}: invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new BuiltinError(`bad JWT ${what}: decoded JSON type was not an Object`);
  return x as PlainObject;
}

function parseToken(jwt: string): Token {
  const parts = jwt.split('.');
  if (parts.length === 1) throw new BuiltinError('encoded JWT had no period separators');
  if (parts.length !== 3) throw new BuiltinError(`encoded JWT must have 3 sections, found ${parts.length}`);
  const decodedHeader = jsonObject(b64url(parts[0], 'header').toString('utf8'), 'header');
  if (objectGet(decodedHeader, 'enc') !== undefined) throw new BuiltinError('JWT is a JWE object, which is not supported');
  return { header: parts[0], payload: parts[1], signature: b64url(parts[2], 'signature'), decodedHeader };
}

function decode(jwt: string, depth = 0): Value[] {
  const t = parseToken(jwt);
  let payloadText = b64url(t.payload, 'payload').toString('utf8');
  // A nested token (cty: JWT) is decoded in turn, as OPA does.
  if (objectGet(t.decodedHeader, 'cty') === 'JWT' && depth < 4) {
    payloadText = payloadText.replace(/^["']+|["']+$/g, '');
    return decode(payloadText, depth + 1);
  }
  return [t.decodedHeader, jsonObject(payloadText, 'payload'), t.signature.toString('hex')];
}

/** Public keys from a PEM certificate/key or a JWK / JWK Set (JSON). */
function publicKeys(material: string): KeyObject[] {
  const text = material.trim();
  try {
    if (text.startsWith('-----BEGIN CERTIFICATE-----')) return [new X509Certificate(text).publicKey];
    if (text.startsWith('-----BEGIN')) return [createPublicKey(text)];
    const parsed = JSON.parse(text) as { keys?: unknown[] };
    const jwks = Array.isArray(parsed.keys) ? parsed.keys : [parsed];
    return jwks.map((k) => createPublicKey({ key: k as JsonWebKeyInput['key'], format: 'jwk' }));
  } catch (e) {
    throw new BuiltinError(`failed to parse a JWK key (set) or PEM certificate/key: ${e instanceof Error ? e.message : String(e)}`);
  }
}

type Family = 'HS' | 'RS' | 'PS' | 'ES';
const ALGS = new Set(['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512']);

function signatureValid(t: Token, alg: string, key: { secret: string } | { keys: KeyObject[] }): boolean {
  const family = alg.slice(0, 2) as Family;
  const hash = 'sha' + alg.slice(2);
  const signed = Buffer.from(t.header + '.' + t.payload, 'utf8');
  if (family === 'HS') {
    if (!('secret' in key)) return false;
    const mac = createHmac(hash, Buffer.from(key.secret, 'utf8')).update(signed).digest();
    return mac.length === t.signature.length && timingSafeEqual(mac, t.signature);
  }
  if (!('keys' in key)) return false;
  return key.keys.some((k) => {
    try {
      if (family === 'RS') return k.asymmetricKeyType === 'rsa' && cryptoVerify(hash, signed, k, t.signature);
      if (family === 'PS') return (k.asymmetricKeyType === 'rsa' || k.asymmetricKeyType === 'rsa-pss') && cryptoVerify(hash, signed, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, t.signature);
      return k.asymmetricKeyType === 'ec' && cryptoVerify(hash, signed, { key: k, dsaEncoding: 'ieee-p1363' }, t.signature);
    } catch {
      return false;
    }
  });
}

function verifier(alg: string): BuiltinDef {
  return {
    name: `io.jwt.verify_${alg.toLowerCase()}`,
    arity: 2,
    fn: (args) => {
      const t = parseToken(str(args, 0));
      const material = str(args, 1);
      return signatureValid(t, alg, alg.startsWith('HS') ? { secret: material } : { keys: publicKeys(material) });
    },
  };
}

const INVALID: Value = [false, makeObject([]), makeObject([])];

function decodeVerify(jwt: string, constraints: PlainObject | RegoObject, ctx: BuiltinContext): Value {
  let secret: string | undefined;
  let keys: KeyObject[] | undefined;
  let alg: string | undefined;
  let iss: string | undefined;
  let aud: string | undefined;
  let timeNs = Number(ctx.nowNs());
  for (const [k, v] of objectEntries(constraints)) {
    if (k === 'cert' && typeof v === 'string') keys = publicKeys(v);
    else if (k === 'secret' && typeof v === 'string') secret = v;
    else if (k === 'alg' && typeof v === 'string') alg = v;
    else if (k === 'iss' && typeof v === 'string') iss = v;
    else if (k === 'aud' && typeof v === 'string') aud = v;
    else if (k === 'time' && typeof v === 'number') timeNs = v;
    else throw new BuiltinError(`invalid constraint ${JSON.stringify(k)}${typeof k === 'string' && ['cert', 'secret', 'alg', 'iss', 'aud', 'time'].includes(k) ? ' value' : ''}`);
  }
  if (secret === undefined && keys === undefined) throw new BuiltinError('no key or secret in constraints');
  if (secret !== undefined && keys !== undefined) throw new BuiltinError('cert and secret constraints are mutually exclusive');
  const t = parseToken(jwt);
  const tokenAlg = objectGet(t.decodedHeader, 'alg');
  if (typeof tokenAlg !== 'string' || !ALGS.has(tokenAlg)) return INVALID;
  if (alg !== undefined && alg !== tokenAlg) return INVALID;
  if (!signatureValid(t, tokenAlg, secret !== undefined ? { secret } : { keys: keys as KeyObject[] })) return INVALID;
  const [header, payload] = decode(jwt);
  if (!isObject(payload)) return INVALID;
  const claim = (name: string): Value | undefined => objectGet(payload, name);
  const exp = claim('exp');
  if (exp !== undefined && (typeof exp !== 'number' || timeNs >= exp * 1e9)) return INVALID;
  const nbf = claim('nbf');
  if (nbf !== undefined && (typeof nbf !== 'number' || timeNs < nbf * 1e9)) return INVALID;
  if (iss !== undefined && claim('iss') !== iss) return INVALID;
  const tokenAud = claim('aud');
  if (tokenAud !== undefined || aud !== undefined) {
    if (aud === undefined || tokenAud === undefined) return INVALID;
    const list = Array.isArray(tokenAud) ? tokenAud : [tokenAud];
    if (!list.includes(aud)) return INVALID;
  }
  return [true, header, payload];
}

/** Signs header.payload (already JSON text) with a JWK, for the algorithm named in the header. */
function signJWS(headerText: string, payloadText: string, jwkText: string): string {
  let header: unknown;
  let jwk: Record<string, unknown>;
  try {
    header = JSON.parse(headerText);
    jwk = JSON.parse(jwkText) as Record<string, unknown>;
  } catch (e) {
    throw new BuiltinError(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const alg = typeof header === 'object' && header !== null ? (header as Record<string, unknown>).alg : undefined;
  if (typeof alg !== 'string' || !ALGS.has(alg)) throw new BuiltinError(`unsupported or missing "alg" in header: ${JSON.stringify(alg ?? null)}`);
  if (typeof jwk !== 'object' || jwk === null) throw new BuiltinError('key must be a JWK object');
  const signing = Buffer.from(headerText, 'utf8').toString('base64url') + '.' + Buffer.from(payloadText, 'utf8').toString('base64url');
  const hash = 'sha' + alg.slice(2);
  let sig: Buffer;
  try {
    if (alg.startsWith('HS')) {
      if (jwk.kty !== 'oct' || typeof jwk.k !== 'string') throw new BuiltinError(`${alg} needs an "oct" JWK with "k"`);
      sig = createHmac(hash, Buffer.from(jwk.k, 'base64url')).update(signing).digest();
    } else {
      const key = createPrivateKey({ key: jwk as JsonWebKeyInput['key'], format: 'jwk' });
      if (alg.startsWith('PS')) sig = cryptoSign(hash, Buffer.from(signing), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
      else if (alg.startsWith('ES')) sig = cryptoSign(hash, Buffer.from(signing), { key, dsaEncoding: 'ieee-p1363' });
      else sig = cryptoSign(hash, Buffer.from(signing), key);
    }
  } catch (e) {
    if (e instanceof BuiltinError) throw e;
    throw new BuiltinError(`failed to sign: ${e instanceof Error ? e.message : String(e)}`);
  }
  return signing + '.' + sig.toString('base64url');
}

export const builtins: BuiltinDef[] = named([
  { name: 'io.jwt.decode', arity: 1, fn: (args) => decode(str(args, 0)) },
  ...['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'].map(verifier),
  {
    name: 'io.jwt.decode_verify',
    arity: 2,
    nondeterministic: true,
    fn: (args, ctx) => decodeVerify(str(args, 0), obj(args, 1), ctx),
  },
  {
    // Objects are serialised as OPA does (compact, sorted keys) before signing.
    name: 'io.jwt.encode_sign',
    arity: 3,
    fn: (args) => signJWS(marshal(obj(args, 0)), marshal(obj(args, 1)), marshal(obj(args, 2))),
  },
  {
    name: 'io.jwt.encode_sign_raw',
    arity: 3,
    fn: (args) => signJWS(str(args, 0), str(args, 1), str(args, 2)),
  },
]);
