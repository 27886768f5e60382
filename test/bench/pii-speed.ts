/**
 * PII scanner throughput: 1 KB, 10 KB and 100 KB texts, clean (prose, code, logs with dates, versions, UUIDs,
 * prices — no PII) and dense (an entity every ~60 characters, each value distinct). Prints MB/s per case and the
 * time ratio for 10× input. Run: npm run bench:pii
 */
import { createPiiScanner } from '../../src/pii';

let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');

function luhnComplete(prefix: string, length: number): string {
  let body = prefix + digits(length - prefix.length - 1);
  for (let d = 0; d < 10; d++) {
    const cand = body + d;
    let sum = 0;
    for (let i = 0; i < cand.length; i++) {
      let v = +cand[cand.length - 1 - i]!;
      if (i % 2 === 1) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
      sum += v;
    }
    if (sum % 10 === 0) return cand;
  }
  return body + '0';
}

const CLEAN_PARTS = [
  'The quarterly report was reviewed by the team and approved without changes.',
  'Please restart the service after upgrading to version 2.14.3 of the SDK.',
  'Order total: $1,249.99 including tax; delivery expected on 2024-03-15.',
  'const result = await client.fetch(url, { retries: 3, timeout: 5000 });',
  'INFO 2024-05-01T12:30:45Z worker-7 processed 1532 jobs in 845 ms',
  'Request id 123e4567-e89b-12d3-a456-426614174000 completed with status 200.',
  'Commit 9fceb02d0ae598e95dc970b74767f19372d61af8 fixes the race in the cache.',
  'Die Lieferung erfolgt am 15.03.2024, vielen Dank für Ihre Geduld.',
  'Le rendez-vous est prévu à 14h30 dans la salle 204 du bâtiment B.',
  'La reunión se movió al jueves; revisen el documento compartido antes.',
  '会議は来週の月曜日に延期されました。資料を確認してください。',
  'Build 4512 passed all 318 tests on node 20.11.1 and 22.2.0.',
];

function denseEntity(): string {
  switch (Math.floor(rnd() * 10)) {
    case 0: return `mail ${pick(['anna', 'john.doe', 'm.schmidt', 'kim'])}${digits(3)}@${pick(['example.com', 'firma.de', 'mail.co.uk'])}`;
    case 1: return `call +1 415 ${digits(3).replace(/^[01]/, '5')} ${digits(4)}`;
    case 2: return `card ${luhnComplete('4', 16).replace(/(\d{4})(?=\d)/g, '$1 ')}`;
    case 3: return `SSN ${pick(['123', '234', '345', '456'])}-${digits(2).replace(/^00/, '12')}-${digits(4).replace(/^0000/, '1234')}`;
    case 4: return `from ip 10.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}`;
    case 5: return `Telefon 030 ${digits(8).replace(/^0/, '2')}`;
    case 6: return `key AKIA${Array.from({ length: 16 }, () => pick([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'])).join('')}`;
    case 7: return `password: ${Array.from({ length: 12 }, () => pick([...'abcdefghijkXYZ0123456789!$'])).join('')}`;
    case 8: return `IBAN DE89 3704 0044 0532 0130 00`;
    default: return `token ghp_${Array.from({ length: 36 }, () => pick([...'abcdefABCDEF0123456789'])).join('')}`;
  }
}

function makeText(size: number, dense: boolean): string {
  let out = '';
  while (out.length < size) {
    out += pick(CLEAN_PARTS) + ' ';
    if (dense) out += denseEntity() + '. ';
  }
  return out.slice(0, size);
}

function measure(scan: (t: string) => unknown, texts: string[]): number {
  // Warm up, then run for at least ~400 ms; returns seconds per text.
  for (let i = 0; i < 3; i++) for (const t of texts) scan(t);
  let iterations = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < 0.4) {
    for (const t of texts) scan(t);
    iterations += texts.length;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return elapsed / iterations;
}

function main(): void {
  const scanner = createPiiScanner();
  const sizes = [1024, 10 * 1024, 100 * 1024];
  console.log('case           size     findings   µs/text      MB/s');
  for (const dense of [false, true]) {
    const times: number[] = [];
    for (const size of sizes) {
      // Several distinct texts per size, so caches do not see one text only.
      const texts = Array.from({ length: Math.max(2, Math.round(200_000 / size)) }, () => makeText(size, dense));
      const findings = scanner.scan(texts[0]!).length;
      const t = measure((x) => scanner.scan(x), texts);
      times.push(t);
      const mbps = size / t / 1e6;
      console.log(
        `${(dense ? 'dense' : 'clean').padEnd(10)} ${String(size / 1024).padStart(5)} KB ${String(findings).padStart(9)} ` +
          `${(t * 1e6).toFixed(1).padStart(10)} ${mbps.toFixed(1).padStart(9)}`,
      );
    }
    console.log(
      `${dense ? 'dense' : 'clean'} growth: 1→10 KB ×${(times[1]! / times[0]!).toFixed(2)}, 10→100 KB ×${(times[2]! / times[1]!).toFixed(2)}`,
    );
  }
}

main();
