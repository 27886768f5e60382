/**
 * Keyword secrets (assignments, prose, CLI flags, URL userinfo), phone numbers named by a phone word, and the
 * number shapes that are not personal data (timestamps, decimals, evenly grouped order numbers, versions).
 */
import { createPiiScanner } from '../../../src/pii';

const scanner = createPiiScanner();
const found = (text: string) => scanner.scan(text).map((f) => [f.type, text.slice(f.start, f.end)]);

describe('keyword secrets', () => {
  test.each([
    ['client_secret in JSON keeps trailing punctuation inside quotes', '{"client_secret": "Tiger!maple9827?"}', 'Tiger!maple9827?'],
    ['env assignment keeps a trailing ?', 'JWT_SIGNING_SECRET=Tiger!river8534?\nBUILD=1', 'Tiger!river8534?'],
    ['YAML', 'jwt:\n  secret: Falcon-maple8912?\n', 'Falcon-maple8912?'],
    ['Spanish key without tilde', 'SMTP_CONTRASENA=Falcon.Orbit6236%\n', 'Falcon.Orbit6236%'],
    ['mysql -p quoted', "$ mysql -h 10.0.0.5 -u admin -p'pepper-Falcon7792%' orders", 'pepper-Falcon7792%'],
    ['mysql -p with a literal $', "mysql -u admin -p'$T5rrvbduw7wSzZ!3KxVHZ' db", '$T5rrvbduw7wSzZ!3KxVHZ'],
    ['German prose without colon', 'Benutzer deploy, Passwort PF0n1NN2Jobg4NzQ4utGlsSH3. Bitte ändern.', 'PF0n1NN2Jobg4NzQ4utGlsSH3'],
    ['German prose with lautet', 'Das Passwort lautet Xy7#pq9!k.', 'Xy7#pq9!k'],
    ['English copula', 'the password is Summer2024! and the user is bob', 'Summer2024'],
    ['French copula', 'le mot de passe est Tr0ub4dor&3 merci', 'Tr0ub4dor&3'],
    ['Dutch, value after a host', 'het wachtwoord voor de testomgeving 172.20.179.146 is sunset-Quartz4640$. Release 4.3.0', 'sunset-Quartz4640$'],
    ['Japanese brackets', '仮パスワードは「Cobalt!sunset1263#」です。', 'Cobalt!sunset1263#'],
    ['URL userinfo, host without a TLD', 'DATABASE_URL=postgres://app:B_lUji9vgOyrLU@db-7.eu-west-1:5432/app', 'B_lUji9vgOyrLU'],
    ['URL userinfo with ~', 'postgres://app:BVVAFo8D~iLYWWHuzrSy@auth-12.prod:5432/app', 'BVVAFo8D~iLYWWHuzrSy'],
    ['redis password only', 'redis://:s3cr3tP4ss@cache.internal:6379/0', 's3cr3tP4ss'],
    ['bare PASS in a key name', 'DB_PASS=Xk9#mP2$vL', 'Xk9#mP2$vL'],
    ['HTTP Basic credential', 'Authorization: Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA=='],
  ])('%s', (_name, text, value) => {
    expect(found(text)).toContainEqual(['GENERIC_SECRET', value]);
  });

  test.each([
    'Your password is incorrect. Please try again.',
    'The password policy requires 12 characters and a symbol.',
    'passwords must be rotated every 90 days',
    'Forgot password? Click here.',
    'Reset your password at https://example.com/reset',
    'PASSWORD_HASH = "$2b$12$abcdefghijklmnopqrstuv"',
    'const password = req.body.password;',
    'password = getenv("DB_PASSWORD")',
    'password: ${DB_PASSWORD}',
    'postgres://user:${DB_PASS}@localhost/db',
    'max_tokens: 4096, token_count=12',
    '"private_key_id": "4636f429e1acd94cccd7d9344f1bb5c001c0cd13"',
    'token_url=https://auth.example.com/oauth/token',
    'secret_rotation_days=90',
    'The token is stored in the keychain.',
    'パスワードを変更してください。',
    'mailto:john@example.com',
    'const withinTokenLimitWithSpecial = isWithinTokenLimit',
    "app.use(session({ secret: 'keyboard cat' }))",
    'PGPASSWORD="my awesome password"',
    "token: `Basic ${Buffer.from('username:password').toString('base64')}`",
    '{"secret":"**GDPR COMPLIANT**"}',
    'It will prompt for a passphrase: "Enter passphrase for ..."',
    "redis: { password: 'fallback-password' }",
    'API_TOKEN=YOUR_API_KEY',
    'OPENAI_API_KEY=REPLACE_ME',
    'password=$(cat /run/secrets/db_password)',
    'new Redis("redis://:authpassword@127.0.0.1:6380/4")',
    'Pass options instead: `new ArgumentParser({ add_help: true })`',
    'bypass=Xk9#mP2$vL',
    'Basic usage: see the examples below.',
    'Basic dGVzdA== is not user:password',
  ])('no secret in %j', (text) => {
    expect(found(text).filter(([t]) => t === 'GENERIC_SECRET')).toEqual([]);
  });

  test('a vendor-shaped value is left to the vendor recognizer (bad GitHub checksum: nothing)', () => {
    expect(found('OLD_GH_TOKEN=ghp_knQk1Q3gas8LlcXs0IOBxAVYbQ76sqRwA2kF  # revoked')).toEqual([]);
  });

  test('placeholders in key shapes are not keys', () => {
    for (const text of ['AKIAXXXXXXXXXXXXXXXX', 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE', 'sk_live_xxxxxxxxxxxxxxxxxxxxxxxx', 'xoxb-your-token']) {
      expect(found(text)).toEqual([]);
    }
  });
});

describe('phone numbers named by a phone word', () => {
  test.each([
    ['Telefon: 06358 7313898', '06358 7313898'],
    ['kannst du mich kurz anrufen? 03378 2767706', '03378 2767706'],
    ["tu peux m'appeler ? 06 86 21 64 77", '06 86 21 64 77'],
    ['llámame cuando puedas: 944 06 34 79', '944 06 34 79'],
    ['chiamami al 341 966 335 quando puoi', '341 966 335'],
    ['Bel me op 0473 86 19 34 of mail', '0473 86 19 34'],
    ['Mobile (07) 3029 3860.', '(07) 3029 3860'],
    ['me chama no zap (11) 98765-4321 ou manda', '(11) 98765-4321'],
    ['Meine Handynummer: 0171 1234567', '0171 1234567'],
    ['Kontakt: 089 12345678', '089 12345678'],
    ['Tel. 030 1234567', '030 1234567'],
    ['my number is 020 7946 0958', '020 7946 0958'],
  ])('%j', (text, value) => {
    expect(found(text)).toContainEqual(['PHONE_NUMBER', value]);
  });

  test('an international number after + is a phone number, never a card', () => {
    expect(found('Clínica · +57 300 5040114 · mail')).toEqual([['PHONE_NUMBER', '+57 300 5040114']]);
  });
});

describe('numbers that are not personal data', () => {
  test.each([
    'Date: 2025-04-25 09:14:39.857',
    'Submitted: 2024-08-12 23:53:27',
    'Zeitpunkt 09.08.2023 06:11:06.286, Request-ID',
    'Zeitpunkt 2024-05-20 4:27 PM',
    '2024/01/28 16:54:02.463 エラー',
    '倉庫の座標は-2.195243, 163.013290です',
    'Order reference 8698 3158 0910 4750.',
    'die alte Nummer 7159 6629 9149 1652 war die Kundennummer',
    'Upgraded OpenSSL to 5.14.2.91',
    'da74321 Bump parser to 6.10.5.119',
    'Copyright (c) 2012-2015 Some Author',
    '0.3.0 / 2015-05-12\n  * perf: remove unnecessary coercions',
    '## 0.9.1 (2023-11-14)',
    'fix type error for fromSSEResponse call ([2405664](https://github.com/x/y/commit/2405664))',
    "proxyaddr(req, ['127.0.0.1', '::1', '0.0.0.0'])",
    '30 0f 31 0d 30 0b 06 03 55 04 03 13 04 54 65 73 74 30 82 01 22',
  ])('%j', (text) => {
    expect(found(text)).toEqual([]);
  });

  test('a date inside a run of numbers is cut out; the phone number next to it stays', () => {
    expect(found('Tel. 030 1234567 / 01.02.2024')).toEqual([['PHONE_NUMBER', '030 1234567']]);
  });

  test('an IPv4 address with a port and a timestamp next to it are still told apart', () => {
    expect(found('2024-05-01 10:30:00 connect from 10.1.2.3:8080')).toEqual([['IP_ADDRESS', '10.1.2.3']]);
  });
});
