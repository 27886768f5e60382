import { createPiiScanner, PiiConfigError, PII_ENTITY_TYPES } from '../../../src/pii';

const scanner = createPiiScanner();
const found = (text: string) => scanner.scan(text).map((f) => [f.type, text.slice(f.start, f.end)]);

describe('recognizers', () => {
  test.each([
    ['EMAIL_ADDRESS', 'write to john.doe+tag@example.co.uk today', 'john.doe+tag@example.co.uk'],
    ['PHONE_NUMBER', 'call +49 30 901820 now', '+49 30 901820'],
    ['PHONE_NUMBER', 'Call (415) 555-2671 tomorrow', '(415) 555-2671'],
    ['PHONE_NUMBER', '電話 03-1234-5678 まで', '03-1234-5678'],
    ['PHONE_NUMBER', 'Telefon: ＋４９ ３０ ９０１８２０', '＋４９ ３０ ９０１８２０'],
    ['CREDIT_CARD', 'card 4111 1111 1111 1111 exp 12/25', '4111 1111 1111 1111'],
    ['CREDIT_CARD', 'amex 3782-822463-10005', '3782-822463-10005'],
    ['IBAN_CODE', 'IBAN DE89 3704 0044 0532 0130 00.', 'DE89 3704 0044 0532 0130 00'],
    ['IBAN_CODE', 'pay GB82WEST12345698765432 now', 'GB82WEST12345698765432'],
    ['US_SSN', 'SSN 078-05-1121', '078-05-1121'],
    ['US_SSN', 'my ssn is 234567890', '234567890'],
    ['IP_ADDRESS', 'from 192.168.10.1 at', '192.168.10.1'],
    ['IP_ADDRESS', 'host 2001:db8::8a2e:370:7334 down', '2001:db8::8a2e:370:7334'],
    ['CRYPTO', 'btc 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa'],
    ['CRYPTO', 'to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq'],
    ['CRYPTO', 'eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'],
    ['UK_NHS', 'NHS number 943 476 5919', '943 476 5919'],
    ['ES_NIF', 'DNI 12345678Z', '12345678Z'],
    ['ES_NIE', 'NIE X1234567L', 'X1234567L'],
    ['IT_FISCAL_CODE', 'codice fiscale RSSMRA85T10A562S', 'RSSMRA85T10A562S'],
    ['DE_TAX_ID', 'Steuer-ID 86095742719', '86095742719'],
    ['IN_AADHAAR', 'Aadhaar 2345 6789 0124', '2345 6789 0124'],
    ['AU_TFN', 'TFN 123 456 782', '123 456 782'],
    ['CA_SIN', 'SIN 046 454 286', '046 454 286'],
    ['AWS_ACCESS_KEY', 'id AKIAJ2K7Q4XWZ3M5N6PA', 'AKIAJ2K7Q4XWZ3M5N6PA'],
    ['AWS_SECRET_KEY', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ['SLACK_TOKEN', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'],
    ['STRIPE_KEY', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['OPENAI_API_KEY', 'key sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1w', 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1w'],
    ['ANTHROPIC_API_KEY', 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789', 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789'],
    ['GOOGLE_API_KEY', 'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW', 'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW'],
    ['GENERIC_SECRET', '{"password": "s3cr3t-Pa55"}', 's3cr3t-Pa55'],
    ['JWT', 'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
  ])('%s in %j', (type, text, value) => {
    expect(found(text)).toContainEqual([type, value]);
  });

  test('GitHub token CRC32: a correct checksum is reported, a wrong one only below the default minimum score', () => {
    // Build a token whose last 6 chars are the base62 CRC32 of its 30-char body.
    const { crc32Ascii } = jest.requireActual('../../../src/pii/recognizers/crc32') as typeof import('../../../src/pii/recognizers/crc32');
    const body = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5';
    let n = crc32Ascii(body);
    const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    let tail = '';
    for (let i = 0; i < 6; i++) {
      tail = B62[n % 62] + tail;
      n = Math.floor(n / 62);
    }
    const goodToken = `ghp_${body}${tail}`;
    const badToken = `ghp_${body}${tail.slice(0, 5)}${tail[5] === 'a' ? 'b' : 'a'}`;
    expect(found(`token ${goodToken}`)).toEqual([['GITHUB_TOKEN', goodToken]]);
    expect(found(`GH_TOKEN=${badToken}`)).toEqual([]);
    const lenient = createPiiScanner({ minScore: 0.4 });
    const good = lenient.scan(goodToken)[0]!;
    const bad = lenient.scan(badToken)[0]!;
    expect(bad.type).toBe('GITHUB_TOKEN');
    expect(good.score).toBeGreaterThan(bad.score);
  });

  test('PEM private keys: plain, escaped newlines in JSON, indented YAML, truncated', () => {
    const body = 'MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun';
    const plain = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
    const json = JSON.stringify({ key: plain });
    const yaml = `tls:\n  key: |\n    -----BEGIN PRIVATE KEY-----\n    ${body}\n    -----END PRIVATE KEY-----\n`;
    for (const text of [plain, json, yaml]) {
      const f = scanner.scan(text).find((x) => x.type === 'PRIVATE_KEY')!;
      expect(text.slice(f.start, f.end)).toMatch(/^-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]*-----END (RSA )?PRIVATE KEY-----$/);
    }
    const truncated = `key: -----BEGIN OPENSSH PRIVATE KEY-----\n${body}`;
    expect(found(truncated)).toContainEqual(['PRIVATE_KEY', `-----BEGIN OPENSSH PRIVATE KEY-----\n${body}`]);
  });
});

describe('hard negatives stay intact', () => {
  test.each([
    'order number 4111 1111 1111 1112',
    'IBAN DE89 3704 0044 0532 0130 01',
    'meeting on 2024-03-15 and 15.03.2024',
    'request 123e4567-e89b-12d3-a456-426614174000',
    'commit 9fceb02d0ae598e95dc970b74767f19372d61af8',
    'upgrade to version 1.2.3.4 today',
    'price $1,249.99 or 1.249,99 €',
    'tracking 1Z999AA10123456784',
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host',
    '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----',
    'bare 234567890 without context',
    'INFO 2024-05-01T12:30:45Z worker-7 processed 1532 jobs',
    'the token limit: 4096 tokens',
    'logo@2x.png',
  ])('%j', (text) => {
    const types = scanner.scan(text).map((f) => f.type).filter((t) => t !== 'EMAIL_ADDRESS' || !text.includes('user@host'));
    expect(types).toEqual([]);
  });
});

describe('options', () => {
  test('entities restricts types; unknown types and regions are config errors', () => {
    const only = createPiiScanner({ entities: ['EMAIL_ADDRESS'] });
    expect(only.scan('a@b.com 4111 1111 1111 1111').map((f) => f.type)).toEqual(['EMAIL_ADDRESS']);
    expect(() => createPiiScanner({ entities: ['NOPE'] })).toThrow(PiiConfigError);
    expect(() => createPiiScanner({ regionHints: ['XX'] })).toThrow(PiiConfigError);
    expect(() => createPiiScanner({ minScore: 2 })).toThrow(PiiConfigError);
  });

  test('region hints enable national formats', () => {
    const text = 'ruf an: 030 12345678';
    expect(createPiiScanner({ regionHints: ['DE'] }).scan(text).map((f) => f.type)).toContain('PHONE_NUMBER');
  });

  test('custom recognizers compile with re2, validate and use context', () => {
    const s = createPiiScanner({
      customRecognizers: [
        { type: 'EMPLOYEE_ID', pattern: 'EMP-[0-9]{6}', context: ['employee'], score: 0.4, contextBoost: 0.3 },
        { type: 'LUHN_REF', pattern: '\\b[0-9]{8}\\b', validator: 'luhn', score: 0.7 },
      ],
    });
    expect(s.entityTypes).toContain('EMPLOYEE_ID');
    expect(s.scan('employee EMP-123456').map((f) => f.type)).toEqual(['EMPLOYEE_ID']);
    expect(s.scan('ticket EMP-123456')).toEqual([]);
    expect(s.scan('ref 12345674 and 12345678').map((f) => f.type)).toEqual(['LUHN_REF']);
    expect(() => createPiiScanner({ customRecognizers: [{ type: 'X_Y', pattern: '(a)\\1' }] })).toThrow(/re2/);
    expect(() => createPiiScanner({ customRecognizers: [{ type: 'bad type', pattern: 'a' }] })).toThrow(PiiConfigError);
  });

  test('every built-in type is a string constant', () => {
    expect(PII_ENTITY_TYPES).toContain('EMAIL_ADDRESS');
    expect(new Set(PII_ENTITY_TYPES).size).toBe(PII_ENTITY_TYPES.length);
  });
});
