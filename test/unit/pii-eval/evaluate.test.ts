/** The scoring rules of the PII evaluation (IoU matching, one-to-one pairing, damaged negatives). */
import { evaluate, iou, scores } from '../../fixtures/pii-eval/lib';
import type { EvalDoc } from '../../fixtures/pii-eval/lib';

const doc = (over: Partial<EvalDoc>): EvalDoc => ({ id: 'd1', lang: 'en', domain: 'chat', text: 'x'.repeat(100), entities: [], negatives: [], ...over });

describe('pii-eval scoring', () => {
  it('computes IoU over half-open spans', () => {
    expect(iou({ start: 0, end: 10 }, { start: 0, end: 10 })).toBe(1);
    expect(iou({ start: 0, end: 10 }, { start: 5, end: 15 })).toBeCloseTo(5 / 15);
    expect(iou({ start: 0, end: 10 }, { start: 10, end: 20 })).toBe(0);
  });

  it('counts a same-type finding with IoU >= 0.5 as TP and a smaller overlap as FP + FN', () => {
    const d = doc({ entities: [{ type: 'EMAIL_ADDRESS', start: 10, end: 30 }, { type: 'PHONE_NUMBER', start: 40, end: 60 }] });
    const r = evaluate([d], () => [
      { type: 'EMAIL_ADDRESS', start: 10, end: 25 }, // IoU 0.75
      { type: 'PHONE_NUMBER', start: 55, end: 70 }, // IoU 5/30
    ]);
    expect(r.overall).toMatchObject({ tp: 1, fp: 1, fn: 1 });
    expect(r.errors.find((e) => e.kind === 'FN')!.cause).toMatch(/^boundary/);
  });

  it('requires the type to match and matches one finding to one label', () => {
    const d = doc({ entities: [{ type: 'US_SSN', start: 0, end: 11 }] });
    const r = evaluate([d], () => [
      { type: 'US_SSN', start: 0, end: 11 },
      { type: 'US_SSN', start: 0, end: 11 },
      { type: 'PHONE_NUMBER', start: 0, end: 11 },
    ]);
    expect(r.overall).toMatchObject({ tp: 1, fp: 2, fn: 0 });
    expect(r.byType.US_SSN).toMatchObject({ tp: 1, fp: 1 });
  });

  it('marks a hard negative damaged when any finding overlaps it', () => {
    const d = doc({ negatives: [{ kind: 'uuid', start: 20, end: 56 }, { kind: 'date', start: 60, end: 70 }] });
    const r = evaluate([d], () => [{ type: 'PHONE_NUMBER', start: 50, end: 58 }]);
    expect(r.negatives.uuid).toMatchObject({ total: 1, intact: 0 });
    expect(r.negatives.date).toMatchObject({ total: 1, intact: 1 });
    expect(r.negativesOverall.rate).toBe(0.5);
    expect(r.errors[0]!.cause).toBe('hits negative uuid');
  });

  it('defines precision/recall of empty sets as 1 and F1 as their harmonic mean', () => {
    expect(scores({ tp: 0, fp: 0, fn: 0 })).toMatchObject({ precision: 1, recall: 1, f1: 1 });
    expect(scores({ tp: 3, fp: 1, fn: 2 }).f1).toBeCloseTo((2 * 0.75 * 0.6) / 1.35);
  });
});
