/**
 * The PII evaluation set is the ground truth for test/bench/pii-eval.ts:
 * every label must sit on exact offsets and hold a value that is valid the way
 * the real thing is validated (checksums, issuer ranges, BBAN formats...).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENTITY_CHECKS, NEGATIVE_CHECKS, NEGATIVE_KINDS, type EvalDoc } from '../../fixtures/pii-eval/lib';
import { buildDataset, serialize } from '../../fixtures/pii-eval/generate';

const DATASET = join(__dirname, '../../fixtures/pii-eval/dataset.jsonl');
const docs: EvalDoc[] = readFileSync(DATASET, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as EvalDoc);

const ENTITY_TYPES = Object.keys(ENTITY_CHECKS);

describe('PII evaluation set', () => {
  it('is large and broad enough', () => {
    const entities = docs.reduce((n, d) => n + d.entities.length, 0);
    const negatives = docs.reduce((n, d) => n + d.negatives.length, 0);
    expect(docs.length).toBeGreaterThanOrEqual(800);
    expect(entities).toBeGreaterThanOrEqual(1500);
    expect(negatives).toBeGreaterThanOrEqual(1000);
    const langs = new Set(docs.map((d) => d.lang));
    for (const lang of ['en', 'de', 'fr', 'es', 'ja']) expect(langs).toContain(lang);
    const domains = new Set(docs.map((d) => d.domain));
    for (const domain of ['ticket', 'email', 'chat', 'code', 'config', 'log', 'csv']) expect(domains).toContain(domain);
  });

  it('has every entity type at least five times and every negative kind', () => {
    const byType = new Map<string, number>();
    for (const d of docs) for (const e of d.entities) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
    const rare = ENTITY_TYPES.filter((t) => (byType.get(t) ?? 0) < 5);
    expect(rare).toEqual([]);
    const kinds = new Set(docs.flatMap((d) => d.negatives.map((n) => n.kind)));
    expect(NEGATIVE_KINDS.filter((k) => !kinds.has(k))).toEqual([]);
  });

  it('has unique ids and well-formed records', () => {
    expect(new Set(docs.map((d) => d.id)).size).toBe(docs.length);
    for (const d of docs) {
      expect(typeof d.text).toBe('string');
      expect(Array.isArray(d.entities) && Array.isArray(d.negatives)).toBe(true);
    }
  });

  it('puts every span inside the text, trimmed, without overlaps', () => {
    const problems: string[] = [];
    for (const d of docs) {
      const spans = [
        ...d.entities.map((e) => ({ label: e.type, start: e.start, end: e.end })),
        ...d.negatives.map((n) => ({ label: `!${n.kind}`, start: n.start, end: n.end })),
      ].sort((a, b) => a.start - b.start);
      for (const s of spans) {
        if (!Number.isInteger(s.start) || !Number.isInteger(s.end) || s.start < 0 || s.end > d.text.length || s.start >= s.end) {
          problems.push(`${d.id} ${s.label} bad offsets ${s.start}-${s.end}`);
          continue;
        }
        const value = d.text.slice(s.start, s.end);
        if (value !== value.trim()) problems.push(`${d.id} ${s.label} has surrounding whitespace`);
      }
      for (let i = 1; i < spans.length; i++) {
        if (spans[i]!.start < spans[i - 1]!.end) problems.push(`${d.id} ${spans[i - 1]!.label} overlaps ${spans[i]!.label}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('labels only known types, each with a valid value', () => {
    const problems: string[] = [];
    for (const d of docs) {
      for (const e of d.entities) {
        const check = ENTITY_CHECKS[e.type];
        const value = d.text.slice(e.start, e.end);
        if (!check) problems.push(`${d.id} unknown type ${e.type}`);
        else {
          const reason = check(value, d.lang);
          if (reason) problems.push(`${d.id} ${e.type} ${JSON.stringify(value.slice(0, 60))}: ${reason}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps look-alike hard negatives invalid (bad Luhn, bad mod-97, bad SSN ranges, bad CRC32)', () => {
    const problems: string[] = [];
    for (const d of docs) {
      for (const n of d.negatives) {
        if (!NEGATIVE_KINDS.includes(n.kind as (typeof NEGATIVE_KINDS)[number])) problems.push(`${d.id} unknown negative kind ${n.kind}`);
        const reason = NEGATIVE_CHECKS[n.kind]?.(d.text.slice(n.start, n.end));
        if (reason) problems.push(`${d.id} ${n.kind}: ${reason}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('does not leave an unlabelled copy of a labelled value elsewhere in the same document', () => {
    const problems: string[] = [];
    for (const d of docs) {
      for (const e of d.entities) {
        const value = d.text.slice(e.start, e.end);
        if (value.length < 6) continue;
        for (let at = d.text.indexOf(value); at >= 0; at = d.text.indexOf(value, at + 1)) {
          const labelled = d.entities.some((o) => o.start <= at && o.end >= at + value.length);
          if (!labelled) problems.push(`${d.id} ${e.type} value repeated without a label at ${at}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('is exactly what the seeded generator produces (no hand edits to dataset.jsonl)', () => {
    expect(serialize(buildDataset()) === readFileSync(DATASET, 'utf8')).toBe(true);
  }, 120_000);
});
