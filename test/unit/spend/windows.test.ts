import { computeWindow, WindowClock } from '../../../src/spend';
import { startOfLocalDay } from '../../../src/spend/windows';

const iso = (ms: number) => new Date(ms).toISOString();

describe('calendar windows', () => {
  test('UTC day, ISO week (Monday first), month and total', () => {
    const now = Date.UTC(2025, 5, 4, 15, 30); // Wednesday 4 June 2025
    expect(computeWindow('day', 'UTC', now)).toEqual({ id: '2025-06-04', startMs: Date.UTC(2025, 5, 4), endMs: Date.UTC(2025, 5, 5) });
    expect(computeWindow('week', 'UTC', now)).toEqual({ id: '2025-06-02', startMs: Date.UTC(2025, 5, 2), endMs: Date.UTC(2025, 5, 9) });
    expect(computeWindow('month', 'UTC', now)).toEqual({ id: '2025-06', startMs: Date.UTC(2025, 5, 1), endMs: Date.UTC(2025, 6, 1) });
    expect(computeWindow('total', 'UTC', now)).toEqual({ id: 'all', startMs: 0, endMs: Infinity });
  });

  test('a Sunday belongs to the week that started the Monday before; weeks cross months and years', () => {
    expect(computeWindow('week', 'UTC', Date.UTC(2025, 5, 8, 23, 59)).id).toBe('2025-06-02');
    expect(computeWindow('week', 'UTC', Date.UTC(2025, 0, 1)).id).toBe('2024-12-30');
    expect(iso(computeWindow('month', 'UTC', Date.UTC(2024, 11, 31, 23)).endMs)).toBe('2025-01-01T00:00:00.000Z');
  });

  test('time zones: the local date decides, boundaries are local midnights', () => {
    // 23:30 UTC on 31 March is already 1 April in Tokyo and still 31 March in New York.
    const now = Date.UTC(2025, 2, 31, 23, 30);
    expect(computeWindow('month', 'Asia/Tokyo', now)).toMatchObject({ id: '2025-04' });
    expect(iso(computeWindow('month', 'Asia/Tokyo', now).startMs)).toBe('2025-03-31T15:00:00.000Z');
    expect(computeWindow('day', 'America/New_York', now)).toMatchObject({ id: '2025-03-31' });
    expect(iso(computeWindow('day', 'America/New_York', now).endMs)).toBe('2025-04-01T04:00:00.000Z');
  });

  test('DST: days of 23 and 25 hours in Europe/Paris', () => {
    const spring = computeWindow('day', 'Europe/Paris', Date.UTC(2025, 2, 30, 12));
    expect(spring.id).toBe('2025-03-30');
    expect((spring.endMs - spring.startMs) / 3_600_000).toBe(23);
    const autumn = computeWindow('day', 'Europe/Paris', Date.UTC(2025, 9, 26, 12));
    expect((autumn.endMs - autumn.startMs) / 3_600_000).toBe(25);
  });

  test('a zone whose midnight does not exist on DST day starts the day at 01:00', () => {
    // America/Santiago springs forward at 00:00 → 01:00 (7 September 2025).
    const start = startOfLocalDay(2025, 9, 7, 'America/Santiago');
    expect(iso(start)).toBe('2025-09-07T04:00:00.000Z');
    const day = computeWindow('day', 'America/Santiago', Date.UTC(2025, 8, 7, 12));
    expect(day.id).toBe('2025-09-07');
    expect((day.endMs - day.startMs) / 3_600_000).toBe(23);
  });

  test('WindowClock caches a window until the clock leaves it, including going back', () => {
    const clock = new WindowClock();
    const a = clock.window('day', 'Europe/Paris', Date.UTC(2025, 5, 4, 10));
    expect(clock.window('day', 'Europe/Paris', Date.UTC(2025, 5, 4, 20))).toBe(a);
    expect(clock.window('day', 'Europe/Paris', Date.UTC(2025, 5, 4, 22)).id).toBe('2025-06-05');
    expect(clock.window('day', 'Europe/Paris', Date.UTC(2025, 5, 3, 12)).id).toBe('2025-06-03');
  });

  test('unknown zones are a clear error', () => {
    expect(() => computeWindow('day', 'Mars/Olympus', 0)).toThrow(RangeError);
  });
});
