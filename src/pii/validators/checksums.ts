/**
 * Checksum validators for numbers and national identifiers. Inputs are normalised strings (ASCII digits,
 * upper-case letters, no separators); every function is total (returns false on malformed input).
 */

/** Luhn mod 10 (cards, CA SIN). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

const VERHOEFF_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/** Verhoeff (IN Aadhaar). */
export function verhoeffValid(digits: string): boolean {
  let c = 0;
  const n = digits.length;
  for (let i = 0; i < n; i++) {
    const d = digits.charCodeAt(n - 1 - i) - 48;
    if (d < 0 || d > 9) return false;
    c = VERHOEFF_D[c]![VERHOEFF_P[i % 8]![d]!]!;
  }
  return n > 0 && c === 0;
}

function isDigits(s: string, len: number): boolean {
  if (s.length !== len) return false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** US SSN: area not 000/666/900-999, group not 00, serial not 0000, not one repeated digit. */
export function usSsnValid(digits: string): boolean {
  if (!isDigits(digits, 9)) return false;
  const area = +digits.slice(0, 3);
  const group = +digits.slice(3, 5);
  const serial = +digits.slice(5);
  if (area === 0 || area === 666 || area >= 900 || group === 0 || serial === 0) return false;
  return !/^(\d)\1{8}$/.test(digits);
}

/** UK NHS number: 10 digits, weights 10..2, mod 11 check digit (10 is never valid). */
export function ukNhsValid(digits: string): boolean {
  if (!isDigits(digits, 10)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - 48) * (10 - i);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  if (check === 10) return false;
  if (/^(\d)\1{9}$/.test(digits)) return false;
  return check === digits.charCodeAt(9) - 48;
}

const NIF_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** ES DNI/NIF: 8 digits + control letter (mod 23). */
export function esNifValid(value: string): boolean {
  if (value.length !== 9 || !isDigits(value.slice(0, 8), 8)) return false;
  return NIF_LETTERS[+value.slice(0, 8) % 23] === value[8];
}

/** ES NIE: X/Y/Z + 7 digits + control letter; X/Y/Z count as 0/1/2. */
export function esNieValid(value: string): boolean {
  if (value.length !== 9) return false;
  const lead = 'XYZ'.indexOf(value[0]!);
  if (lead < 0 || !isDigits(value.slice(1, 8), 7)) return false;
  return NIF_LETTERS[+(lead + value.slice(1, 8)) % 23] === value[8];
}

// Codice fiscale: odd positions (1-based) use this table, even positions the plain value.
const CF_ODD: Record<string, number> = {};
{
  const odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
  for (let i = 0; i < 10; i++) CF_ODD[String(i)] = odd[i]!;
  for (let i = 0; i < 26; i++) CF_ODD[String.fromCharCode(65 + i)] = odd[i]!;
}
const CF_SHAPE = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;

/** IT codice fiscale (persons, incl. omocodia substitutions): shape + check character. */
export function itFiscalCodeValid(value: string): boolean {
  if (!CF_SHAPE.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const ch = value[i]!;
    if (i % 2 === 0) sum += CF_ODD[ch]!;
    else {
      const c = ch.charCodeAt(0);
      sum += c <= 57 ? c - 48 : c - 65;
    }
  }
  return String.fromCharCode(65 + (sum % 26)) === value[15];
}

/**
 * DE Steuerliche Identifikationsnummer: 11 digits, no leading 0, in the first 10 digits exactly one digit occurs
 * twice or three times (never three in a row), and an ISO 7064 MOD 11,10 check digit.
 */
export function deTaxIdValid(digits: string): boolean {
  if (!isDigits(digits, 11) || digits[0] === '0') return false;
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 10; i++) counts[digits.charCodeAt(i) - 48]!++;
  let repeated = 0;
  for (const c of counts) {
    if (c > 3) return false;
    if (c >= 2) repeated++;
  }
  if (repeated !== 1) return false;
  for (let i = 0; i + 2 < 10; i++) {
    if (digits[i] === digits[i + 1] && digits[i] === digits[i + 2]) return false;
  }
  let product = 10;
  for (let i = 0; i < 10; i++) {
    let sum = (digits.charCodeAt(i) - 48 + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  let check = 11 - product;
  if (check === 10) check = 0;
  return check === digits.charCodeAt(10) - 48;
}

const TFN_WEIGHTS_9 = [1, 4, 3, 7, 5, 8, 6, 9, 10];
const TFN_WEIGHTS_8 = [10, 7, 8, 4, 6, 3, 5, 1];

/** AU Tax File Number: 8 or 9 digits, weighted sum divisible by 11. */
export function auTfnValid(digits: string): boolean {
  const weights = digits.length === 9 ? TFN_WEIGHTS_9 : digits.length === 8 ? TFN_WEIGHTS_8 : null;
  if (!weights || !isDigits(digits, digits.length)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += (digits.charCodeAt(i) - 48) * weights[i]!;
  return sum % 11 === 0 && !/^0+$/.test(digits);
}

/** CA Social Insurance Number: 9 digits, Luhn, first digit not 8 (never assigned). */
export function caSinValid(digits: string): boolean {
  if (!isDigits(digits, 9) || digits[0] === '8' || digits === '000000000') return false;
  return luhnValid(digits);
}

/** Card issuer ranges (IIN) with allowed lengths; a Luhn-valid number outside them is not a card. */
export function cardIssuerValid(digits: string): boolean {
  const n = digits.length;
  const p2 = +digits.slice(0, 2);
  const p3 = +digits.slice(0, 3);
  const p4 = +digits.slice(0, 4);
  const p6 = +digits.slice(0, 6);
  if (digits[0] === '4') return n === 13 || n === 16 || n === 19; // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16; // Mastercard
  if (p2 === 34 || p2 === 37) return n === 15; // Amex
  if (p4 >= 2200 && p4 <= 2204) return n >= 16 && n <= 19; // Mir
  if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65 || (p6 >= 622126 && p6 <= 622925)) {
    return n >= 16 && n <= 19; // Discover
  }
  if (p2 === 62) return n >= 16 && n <= 19; // UnionPay
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19; // JCB
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) return n >= 14 && n <= 19; // Diners
  if (p2 === 50 || (p2 >= 56 && p2 <= 69)) return n >= 12 && n <= 19; // Maestro
  return false;
}
