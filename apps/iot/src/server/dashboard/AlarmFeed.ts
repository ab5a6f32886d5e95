import {
  keyedState,
  removeKey,
  setKey,
  StreamPublisher,
  type KeyedChange,
  type KeyedSnapshot,
  type KeyedState,
} from '@twohop/snapshot-delta';
import { AlarmBook, type AlarmChanges } from '../../domain/alarms/AlarmBook.js';
import { AlarmRule, DEFAULT_ALARM_RULES, type AlarmRuleSpec } from '../../domain/alarms/AlarmRule.js';
import { isActive, type Alarm } from '../../domain/alarms/alarmTypes.js';
import { ALARMS_STREAM } from '../../domain/dashboardWire.js';
import type { Reading } from '../../domain/site.js';

/** The alarm a dead node raises on itself. */
export const NODE_OFFLINE = 'Node offline';

/** Options for {@link AlarmFeed}. */
export interface AlarmFeedOptions {
  rules?: readonly AlarmRuleSpec[];
  /** Alarms kept. @default 1000 */
  capacity?: number;
  /** Wall clock for alarm times and delta stamps (ms since the epoch). @default Date.now */
  now?: () => number;
}

/** The reply to an acknowledge. */
export type AcknowledgeResult = ReturnType<AlarmBook['acknowledge']>;

/**
 * The `alarms` stream: every alarm the {@link AlarmBook} keeps, keyed by id, served reliably (never conflated: a
 * dashboard sees each raise, update, acknowledgement and clear in order). Readings go through the rules; a node's
 * death raises `Node offline` on the node and turns its devices' open alarms `INDETERMINATE` (their condition can no
 * longer be known); its next birth clears the node's alarm, and its devices' next readings settle theirs.
 */
export class AlarmFeed {
  readonly publisher: StreamPublisher<KeyedState<Alarm>, readonly KeyedChange<Alarm>[], KeyedSnapshot<Alarm>>;
  readonly book: AlarmBook;
  readonly #rules: Map<string, AlarmRule[]>;
  readonly #now: () => number;

  constructor(options: AlarmFeedOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.book = new AlarmBook({ capacity: options.capacity ?? 1000 });
    this.#rules = new Map();
    for (const spec of options.rules ?? DEFAULT_ALARM_RULES) {
      const rules = this.#rules.get(spec.metric) ?? [];
      rules.push(new AlarmRule(spec));
      this.#rules.set(spec.metric, rules);
    }
    this.publisher = new StreamPublisher({
      stream: ALARMS_STREAM,
      model: keyedState<Alarm>(),
      timestamps: this.#now,
    });
  }

  /** Runs a device's readings through the rules that watch their metrics. */
  readings(device: string, readings: readonly Reading[]): void {
    for (const reading of readings) {
      for (const rule of this.#rules.get(reading.metric) ?? []) {
        const open = this.book.openAlarm(device, rule.type);
        const outcome = rule.evaluate(reading.value, open !== undefined, open?.severity);
        if (outcome.action === 'raise')
          this.#publish(this.book.raise(device, rule.type, outcome.severity, this.#now(), reading.value));
        else if (outcome.action === 'clear') this.#publish(this.book.clear(device, rule.type, this.#now()));
      }
    }
  }

  /** A node died: its own alarm, and its devices' open alarms become indeterminate. */
  nodeDied(node: string): void {
    const now = this.#now();
    const prefix = `${node}/`;
    for (const alarm of this.book.all()) {
      if (isActive(alarm) && alarm.originator.startsWith(prefix) && alarm.severity !== 'INDETERMINATE') {
        this.#publish(this.book.raise(alarm.originator, alarm.type, 'INDETERMINATE', now));
      }
    }
    this.#publish(this.book.raise(node, NODE_OFFLINE, 'MAJOR', now));
  }

  /** A node was born: its offline alarm clears. */
  nodeBorn(node: string): void {
    this.#publish(this.book.clear(node, NODE_OFFLINE, this.#now()));
  }

  /** Acknowledges an alarm for `user` and broadcasts the change. */
  acknowledge(id: string, user: string): AcknowledgeResult {
    const result = this.book.acknowledge(id, user, this.#now());
    if (result.ok) this.#publish(result.changes);
    return result;
  }

  #publish(changes: AlarmChanges): void {
    const delta = [...changes.set.map((alarm) => setKey(alarm.id, alarm)), ...changes.removed.map(removeKey)];
    if (delta.length > 0) this.publisher.publish(delta);
  }
}
