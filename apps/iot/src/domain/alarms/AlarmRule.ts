import type { AlarmSeverity } from './alarmTypes.js';

/** One threshold of a rule: at or past `value`, the alarm has `severity`. */
export interface AlarmThreshold {
  readonly value: number;
  readonly severity: Exclude<AlarmSeverity, 'INDETERMINATE'>;
}

/** What an {@link AlarmRule} watches and where it raises and clears. */
export interface AlarmRuleSpec {
  /** The alarm type it raises, e.g. `Temperature high`. */
  readonly type: string;
  /** The metric it reads, e.g. `temperature`. */
  readonly metric: string;
  /** `above`: readings at or over a threshold raise; `below`: at or under. */
  readonly direction: 'above' | 'below';
  /** At least one; the most severe one the reading passes wins. */
  readonly thresholds: readonly AlarmThreshold[];
  /**
   * Hysteresis: an active alarm clears only once the reading is back past this value (below it for `above`
   * rules), so a reading that hovers at a threshold does not raise and clear on every sample.
   */
  readonly clearAt: number;
}

/** What a reading means for an originator's alarm of this rule's type. */
export type RuleOutcome =
  | { readonly action: 'raise'; readonly severity: AlarmSeverity }
  | { readonly action: 'clear' }
  | { readonly action: 'none' };

const NONE: RuleOutcome = { action: 'none' };

/**
 * A threshold rule with hysteresis. Pure: it is told whether the alarm is active now and returns what the reading
 * does to it — raise (or re-raise at a new severity), clear, or nothing. Between the clear value and the lowest
 * threshold an active alarm stays as it is, which is the hysteresis band.
 */
export class AlarmRule {
  readonly #passes: (value: number, threshold: number) => boolean;
  /** Thresholds from the most severe to the least. */
  readonly #thresholds: readonly AlarmThreshold[];

  constructor(readonly spec: AlarmRuleSpec) {
    if (spec.thresholds.length === 0) throw new RangeError(`alarm rule ${spec.type} has no threshold`);
    const above = spec.direction === 'above';
    this.#passes = above
      ? (value, threshold) => value >= threshold
      : (value, threshold) => value <= threshold;
    this.#thresholds = [...spec.thresholds].sort((a, b) => (above ? b.value - a.value : a.value - b.value));
    const least = this.#thresholds[this.#thresholds.length - 1]!.value;
    if (above ? spec.clearAt > least : spec.clearAt < least) {
      throw new RangeError(`alarm rule ${spec.type}: clearAt must lie on the safe side of every threshold`);
    }
  }

  get type(): string {
    return this.spec.type;
  }

  get metric(): string {
    return this.spec.metric;
  }

  /** The severity `value` reaches, or undefined when it passes no threshold. */
  severityOf(value: number): AlarmSeverity | undefined {
    return this.#thresholds.find((threshold) => this.#passes(value, threshold.value))?.severity;
  }

  /**
   * What `value` does to an alarm that is `active` now at `current` severity: a new or changed severity raises, a
   * value past the clear point clears an active alarm, anything else (inside the band, or unchanged) does nothing.
   */
  evaluate(value: number, active: boolean, current?: AlarmSeverity): RuleOutcome {
    if (!Number.isFinite(value)) return NONE;
    const severity = this.severityOf(value);
    if (severity !== undefined) {
      return active && severity === current ? NONE : { action: 'raise', severity };
    }
    if (active && !this.#passes(value, this.spec.clearAt)) {
      return { action: 'clear' };
    }
    return NONE;
  }
}

/**
 * The rules the dashboard runs by default, one per sensor kind that can be out of bounds. Each raises just past the
 * metric's healthy range and clears back inside it, a little short of the first threshold (the hysteresis band).
 */
export const DEFAULT_ALARM_RULES: readonly AlarmRuleSpec[] = [
  {
    type: 'Temperature high',
    metric: 'temperature',
    direction: 'above',
    thresholds: [
      { value: 40, severity: 'CRITICAL' },
      { value: 36, severity: 'MAJOR' },
      { value: 33, severity: 'MINOR' },
      { value: 31, severity: 'WARNING' },
    ],
    clearAt: 29,
  },
  {
    type: 'CO2 high',
    metric: 'co2',
    direction: 'above',
    thresholds: [
      { value: 3000, severity: 'CRITICAL' },
      { value: 2000, severity: 'MAJOR' },
      { value: 1600, severity: 'WARNING' },
    ],
    clearAt: 1400,
  },
  {
    type: 'Humidity low',
    metric: 'humidity',
    direction: 'below',
    thresholds: [{ value: 15, severity: 'MINOR' }],
    clearAt: 20,
  },
];
