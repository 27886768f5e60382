/**
 * IBAN: country code + check digits + the country's BBAN, compact or printed in groups of four. Validated by
 * ibantools (country BBAN format and mod-97). A well-formed IBAN with a bad checksum is a hard negative.
 */
import { getCountrySpecifications, isValidIBAN } from '../validators/ibantools';
import { isAsciiAlnum } from '../scan/chars';
import { hasContext } from '../scan/context';
import type { ScanEnv } from '../scan/env';
import { CONTEXT } from './context-words';

const LENGTHS = new Map<string, number>();
for (const [code, spec] of Object.entries(getCountrySpecifications())) {
  if (spec.chars) LENGTHS.set(code, spec.chars);
}

/** `ts` is at the country code. Returns the end of the IBAN-shaped text (valid or not), or -1. */
export function tryIban(env: ScanEnv, ts: number): number {
  const text = env.text;
  const country = text.slice(ts, ts + 2).toUpperCase();
  const length = LENGTHS.get(country);
  if (!length) return -1;
  let value = '';
  let pos = ts;
  while (value.length < length && pos < text.length) {
    const c = text.charCodeAt(pos);
    if (isAsciiAlnum(c)) {
      value += text[pos]!;
      pos++;
    } else if ((c === 32 || c === 0xa0 || c === 45) && value.length % 4 === 0 && isAsciiAlnum(text.charCodeAt(pos + 1))) {
      pos++;
    } else break;
  }
  if (value.length !== length || isAsciiAlnum(text.charCodeAt(pos))) return -1;
  const upper = value.toUpperCase();
  if (isValidIBAN(upper)) {
    env.sink.add('IBAN_CODE', ts, pos, hasContext(text, ts, pos, CONTEXT.IBAN_CODE) ? 1 : 0.95);
  }
  return pos;
}
