import { AuditEventError, buildAuditEvent, parseAuditEvent, uuidv7, isUuid } from '../../../src/audit';
import { uuidv7Time } from '../../../src/audit/uuidv7';

const ORG = '0190a0b0-0000-7000-8000-000000000001';

describe('uuidv7', () => {
  it('produces RFC 9562 version-7 ids carrying the time, strictly increasing within a process', () => {
    const now = Date.now();
    const ids = Array.from({ length: 10_000 }, () => uuidv7(now));
    for (const id of ids) {
      expect(isUuid(id)).toBe(true);
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]);
    }
    expect(new Set(ids).size).toBe(ids.length);
    const sorted = [...ids].sort();
    expect(sorted).toEqual(ids);
    expect(uuidv7Time(ids[0])).toBe(now);
    expect(Math.abs(uuidv7Time(uuidv7())! - Date.now())).toBeLessThan(60_000);
  });
});

describe('buildAuditEvent', () => {
  const base = { type: 'request.decided', orgId: ORG, actor: { type: 'api_key' as const, id: 'key-1' } };

  it('fills id and time, keeps only known fields, never raw content', () => {
    const e = buildAuditEvent({
      ...base, workspaceId: ORG, outcome: 'denied',
      decision: { id: 'd1', policyVersion: 'v3', allow: false, rules: ['deny.pii'], obligations: ['no_store_prompt'] },
      request: { requestId: 'r1', model: 'gpt-4o', promptTokens: 10, costUsd: 0.0012, latencyMs: 12.6 },
      pii: { EMAIL: 2 }, content: { prompt: 'my secret' },
    });
    expect(isUuid(e.id)).toBe(true);
    expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(e.v).toBe(1);
    expect(e.request!.latencyMs).toBe(13);
    expect(JSON.stringify(e)).not.toContain('my secret');
    expect(parseAuditEvent(JSON.parse(JSON.stringify(e)))).toEqual(e);
  });

  it.each([
    [{ ...base, type: 'Request' }, /dotted/],
    [{ ...base, orgId: 'nope' }, /orgId/],
    [{ ...base, workspaceId: 'x' }, /workspaceId/],
    [{ ...base, actor: { type: 'robot', id: 'x' } }, /actor.type/],
    [{ ...base, actor: { type: 'user', id: '' } }, /actor.id/],
    [{ ...base, outcome: 'maybe' }, /outcome/],
    [{ ...base, time: 'not a date' }, /time/],
    [{ ...base, pii: { EMAIL: -1 } }, /pii.EMAIL/],
    [{ ...base, request: { requestId: 'r', costUsd: Infinity } }, /costUsd/],
    [{ ...base, details: { big: 'x'.repeat(20_000) } }, /details exceed/],
    [{ ...base, details: { bad: '\ud800' } }, /lone surrogate/],
    [{ ...base, id: 'ABC' }, /id must/],
  ])('rejects bad input %#', (input, message) => {
    expect(() => buildAuditEvent(input as never)).toThrow(AuditEventError);
    expect(() => buildAuditEvent(input as never)).toThrow(message);
  });

  it('parseAuditEvent refuses other schema versions and non-ISO times', () => {
    const e = buildAuditEvent(base);
    expect(() => parseAuditEvent({ ...e, v: 2 })).toThrow(/schema version/);
    expect(() => parseAuditEvent({ ...e, time: '2024-01-01' })).toThrow(/ISO-8601/);
  });
});
