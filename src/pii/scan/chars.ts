/** Character classification on UTF-16 code units (no allocation). */

/** 0-9 for ASCII and full-width digits, -1 otherwise. */
export function digitValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 0xff10 && c <= 0xff19) return c - 0xff10;
  return -1;
}

export function isAsciiAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** Letters/digits of any script (so `Müller123` or `電話0312345678` glue correctly). */
export function isWordChar(c: number): boolean {
  if (isAsciiAlnum(c) || c === 95) return true;
  if (c < 0xc0) return false;
  // Latin-1 letters and beyond, except typographic punctuation, spaces and CJK punctuation blocks.
  if (c >= 0x2000 && c <= 0x206f) return false;
  if (c >= 0x3000 && c <= 0x303f) return false;
  if (c >= 0xff00 && c <= 0xff20) return c >= 0xff10 && c <= 0xff19;
  return c !== 0xd7 && c !== 0xf7;
}

/** Base64/base64url/secret token characters. */
export function isTokenChar(c: number): boolean {
  return isAsciiAlnum(c) || c === 43 || c === 47 || c === 61 || c === 95 || c === 45;
}
