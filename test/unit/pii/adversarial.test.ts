/**
 * Adversarial repetitions of anchors (1 MiB each): every case must finish (jest's timeout bounds them — a
 * quadratic recognizer takes tens of seconds here) with the right answer.
 */
import { createPiiScanner } from '../../../src/pii';

const scanner = createPiiScanner();
const MiB = 1 << 20;
const fill = (unit: string) => unit.repeat(Math.ceil(MiB / unit.length));

describe('repeated anchors stay linear and correct', () => {
  test.each([
    ['BEGIN lines without END or body', fill('-----BEGIN PRIVATE KEY-----\n'), 0],
    ['JWT-shaped segments that do not decode', fill('eyJhbGciOiJIUzI1NiJ9.eyJ'), 0],
    ['password words without values', fill('password '), 0],
    ['password words with plain-word values', fill('the password is wrong '), 0],
    ['colons and equals', fill(':=:='), 0],
    ['at signs', fill('@'), 0],
    ['vendor prefixes without bodies', fill('ghp_ sk- AKIA xoxb- '), 0],
    ['IPv6-ish colons', fill('fe80::1:'), 0],
    ['dotted digits', fill('1.2.3.4.'), 0],
    ['mysql flags', fill("-p'"), 0],
  ])('%s', (_name, text, expected) => {
    expect(scanner.scan(text)).toHaveLength(expected);
  });

  test('a private key after many BEGIN lines is still found whole', () => {
    const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj';
    const key = `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----`;
    const text = '-----BEGIN PRIVATE KEY-----\n'.repeat(20_000) + key;
    const found = scanner.scan(text);
    expect(found.map((f) => text.slice(f.start, f.end))).toEqual([key]);
  });

  test('every repeated entity is found (dense phone numbers and emails)', () => {
    expect(scanner.scan('+49 30 901820 '.repeat(20_000))).toHaveLength(20_000);
    expect(scanner.scan('a@b.co '.repeat(20_000))).toHaveLength(20_000);
  });
});
