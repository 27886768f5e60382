/** Validators by name, for admin-defined custom recognizers. Input is the raw match; each normalises it. */
import type { ValidatorName } from '../types';
import {
  auTfnValid, caSinValid, deTaxIdValid, esNieValid, esNifValid, itFiscalCodeValid, luhnValid, ukNhsValid, usSsnValid,
  verhoeffValid,
} from './checksums';
import { base58CheckValid, bech32Valid } from './crypto-addresses';
import { isValidIBAN } from './ibantools';

const digitsOnly = (s: string) => s.replace(/[^0-9]/g, '');
const alnumUpper = (s: string) => s.replace(/[^0-9A-Za-z]/g, '').toUpperCase();

function mod97(s: string): boolean {
  const v = alnumUpper(s);
  if (v.length < 5) return false;
  const rearranged = v.slice(4) + v.slice(0, 4);
  let rem = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const n = code <= 57 ? code - 48 : code - 55;
    rem = n >= 10 ? (rem * 100 + n) % 97 : (rem * 10 + n) % 97;
  }
  return rem === 1;
}

function jwtShape(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 3) return false;
  try {
    for (const p of parts.slice(0, 2)) {
      const v: unknown = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
      if (v === null || typeof v !== 'object') return false;
    }
    return true;
  } catch {
    return false;
  }
}

export const VALIDATORS: Readonly<Record<ValidatorName, (value: string) => boolean>> = {
  luhn: (s) => luhnValid(digitsOnly(s)),
  iban: (s) => isValidIBAN(alnumUpper(s)),
  mod97,
  us_ssn: (s) => usSsnValid(digitsOnly(s)),
  verhoeff: (s) => verhoeffValid(digitsOnly(s)),
  uk_nhs: (s) => ukNhsValid(digitsOnly(s)),
  es_nif: (s) => esNifValid(alnumUpper(s)),
  es_nie: (s) => esNieValid(alnumUpper(s)),
  it_fiscal_code: (s) => itFiscalCodeValid(alnumUpper(s)),
  de_tax_id: (s) => deTaxIdValid(digitsOnly(s)),
  au_tfn: (s) => auTfnValid(digitsOnly(s)),
  ca_sin: (s) => caSinValid(digitsOnly(s)),
  base58check: (s) => base58CheckValid(s.trim()),
  bech32: (s) => bech32Valid(s.trim()),
  jwt: (s) => jwtShape(s.trim()),
};

export const VALIDATOR_NAMES = Object.keys(VALIDATORS) as ValidatorName[];
