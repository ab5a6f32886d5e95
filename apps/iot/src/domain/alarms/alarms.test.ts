import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlarmBook } from './AlarmBook.js';
import { AlarmRule, DEFAULT_ALARM_RULES } from './AlarmRule.js';
import { isActive, type AlarmSeverity } from './alarmTypes.js';

const temperature = new AlarmRule(DEFAULT_ALARM_RULES[0]!);
const humidity = new AlarmRule(DEFAULT_ALARM_RULES[2]!);

describe('AlarmRule', () => {
  it('raises at the most severe threshold passed, and re-raises only when the severity changes', () => {
    expect(temperature.evaluate(30, false)).toEqual({ action: 'none' });
    expect(temperature.evaluate(31, false)).toEqual({ action: 'raise', severity: 'WARNING' });
    expect(temperature.evaluate(31.5, true, 'WARNING')).toEqual({ action: 'none' });
    expect(temperature.evaluate(37, true, 'WARNING')).toEqual({ action: 'raise', severity: 'MAJOR' });
    expect(temperature.evaluate(45, true, 'MAJOR')).toEqual({ action: 'raise', severity: 'CRITICAL' });
  });

  it('clears only past the clear point: inside the hysteresis band an active alarm stays as it is', () => {
    expect(temperature.evaluate(30, true, 'WARNING')).toEqual({ action: 'none' });
    expect(temperature.evaluate(29, true, 'WARNING')).toEqual({ action: 'none' });
    expect(temperature.evaluate(28.9, true, 'WARNING')).toEqual({ action: 'clear' });
    expect(temperature.evaluate(20, false)).toEqual({ action: 'none' });
  });

  it('works downwards for a `below` rule', () => {
    expect(humidity.evaluate(14, false)).toEqual({ action: 'raise', severity: 'MINOR' });
    expect(humidity.evaluate(18, true, 'MINOR')).toEqual({ action: 'none' });
    expect(humidity.evaluate(21, true, 'MINOR')).toEqual({ action: 'clear' });
  });

  it('ignores values that are not numbers and refuses a clear point inside the alarm range', () => {
    expect(temperature.evaluate(Number.NaN, true, 'WARNING')).toEqual({ action: 'none' });
    expect(
      () =>
        new AlarmRule({
          type: 't',
          metric: 'm',
          direction: 'above',
          thresholds: [{ value: 10, severity: 'MAJOR' }],
          clearAt: 11,
        }),
    ).toThrow(RangeError);
  });

  it('a value hovering around one threshold raises once and clears at most once per excursion (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 29.5, max: 31.5, noNaN: true }), { maxLength: 200 }),
        (values) => {
          let active = false;
          let severity: AlarmSeverity | undefined;
          let raises = 0;
          let clears = 0;
          for (const value of values) {
            const outcome = temperature.evaluate(value, active, severity);
            if (outcome.action === 'raise') [active, severity, raises] = [true, outcome.severity, raises + 1];
            if (outcome.action === 'clear') [active, severity, clears] = [false, undefined, clears + 1];
          }
          // Never below the clear point, so once raised it never clears, and never raises twice at one severity.
          expect(clears).toBe(0);
          expect(raises).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});

describe('AlarmBook', () => {
  it('follows the lifecycle: active unacknowledged → acknowledged → cleared, acknowledging twice is a no-op', () => {
    const book = new AlarmBook();
    const [raised] = book.raise('site/b1-f1/d01', 'Temperature high', 'WARNING', 1000, 31).set;
    expect(raised).toMatchObject({ id: 'a1', status: 'ACTIVE_UNACK', startTs: 1000, raises: 1, value: 31 });
    const acknowledged = book.acknowledge('a1', 'ana', 2000);
    expect(acknowledged).toMatchObject({
      ok: true,
      alarm: { status: 'ACTIVE_ACK', ackBy: 'ana', ackTs: 2000 },
    });
    expect(book.acknowledge('a1', 'bo', 3000)).toMatchObject({
      ok: true,
      changes: { set: [] },
      alarm: { ackBy: 'ana' },
    });
    const [cleared] = book.clear('site/b1-f1/d01', 'Temperature high', 4000).set;
    expect(cleared).toMatchObject({ status: 'CLEARED_ACK', clearTs: 4000 });
    expect(book.acknowledge('nope', 'ana', 1)).toEqual({ ok: false, error: 'unknown_alarm' });
  });

  it('a re-raise updates the open alarm (severity, end time, value) and keeps its acknowledgement', () => {
    const book = new AlarmBook();
    book.raise('d', 'Temperature high', 'WARNING', 1000, 31);
    book.acknowledge('a1', 'ana', 1500);
    const [updated] = book.raise('d', 'Temperature high', 'CRITICAL', 2000, 41).set;
    expect(updated).toMatchObject({
      id: 'a1',
      severity: 'CRITICAL',
      status: 'ACTIVE_ACK',
      startTs: 1000,
      endTs: 2000,
      raises: 2,
      value: 41,
    });
    expect(book.all()).toHaveLength(1);
  });

  it('a raise after the alarm cleared opens a new one; a clear with nothing open changes nothing', () => {
    const book = new AlarmBook();
    book.raise('d', 'CO2 high', 'MAJOR', 1, 2100);
    book.clear('d', 'CO2 high', 2);
    expect(book.clear('d', 'CO2 high', 3)).toEqual({ set: [], removed: [] });
    const [second] = book.raise('d', 'CO2 high', 'MAJOR', 4, 2200).set;
    expect(second).toMatchObject({ id: 'a2', status: 'ACTIVE_UNACK' });
    expect(book.get('a1')).toMatchObject({ status: 'CLEARED_UNACK' });
  });

  it('keeps at most its capacity, dropping cleared alarms before active ones', () => {
    const book = new AlarmBook({ capacity: 2 });
    book.raise('d1', 't', 'MINOR', 1);
    book.raise('d2', 't', 'MINOR', 2);
    book.clear('d2', 't', 3);
    const { removed } = book.raise('d3', 't', 'MINOR', 4);
    expect(removed).toEqual(['a2']);
    expect(book.all().map((alarm) => alarm.id)).toEqual(['a1', 'a3']);
    expect(book.raise('d4', 't', 'MINOR', 5).removed).toEqual(['a1']);
    expect(book.all().every(isActive)).toBe(true);
    // The dropped open alarm is forgotten: raising it again opens a new one.
    expect(book.raise('d1', 't', 'MAJOR', 6).set[0]).toMatchObject({ id: 'a5', raises: 1 });
  });
});
