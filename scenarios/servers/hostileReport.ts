import type { Invariant, LatencyChart, TimeChart } from '@twohop/testkit/node';
import { codesText, type PhaseSummary } from './hostilePhases.js';

/** What the attackers' process reports of a flood: requests sent, replies by code, closes by code. */
export interface FloodResult {
  sent: number;
  codes: Record<string, number>;
  closes: Record<string, number>;
  maxRefusedPerConnection: number;
}

/** What the attackers' process reports of the generated (fast-check) inputs. */
export interface GeneratedResult {
  inputs: number;
  codes: Record<string, number>;
  unanswered: number;
  undocumented: number;
}

/** A phase of a hostile run as its table shows it: name, requests made, replies by code. */
export type PhaseRow = [name: string, requests: number, replies: string];

/** The server's RSS in a phase (MiB), from `hostilePhases().rss`. */
type PhaseRss = (name: string) => { start: number; peak: number; end: number };

const ms = (value: number | undefined) => (value ?? 0).toFixed(1);
const mib = (value: number) => value.toFixed(0);

/** The phase table: requests, replies by code, the bystander's p50 / p99 and the server's RSS, as Markdown. */
export function phaseTable(rows: PhaseRow[], bystander: Record<string, PhaseSummary>, rss: PhaseRss): string {
  return [
    '| phase | requests | replies by code | bystander p50 / p99 | server RSS start / peak / end |',
    '|---|---:|---|---:|---:|',
    ...rows.map(([name, sent, codes]) => {
      const b = bystander[name];
      const r = rss(name);
      return `| ${name} | ${sent} | ${codes} | ${ms(b?.p50)} / ${ms(b?.p99)} ms | ${mib(r.start)} / ${mib(r.peak)} / ${mib(r.end)} MiB |`;
    }),
  ].join('\n');
}

/** The report's table: per phase, requests, replies by code, the bystander's p99 and the peak RSS. */
export function phaseReportTable(rows: PhaseRow[], bystander: Record<string, PhaseSummary>, rss: PhaseRss) {
  return {
    headers: ['phase', 'requests', 'replies by code', 'bystander p99 ms', 'RSS peak MiB'],
    rows: rows.map(([name, sent, codes]) => [
      name,
      sent,
      codes,
      Number(ms(bystander[name]?.p99)),
      Number(mib(rss(name).peak)),
    ]),
  };
}

/**
 * What every hostile run checks of the server and its inputs: it did not crash, every generated input was answered
 * with ok or a documented code and some reached the handlers (`reached`: codes that only a handler gives), and every
 * flooder was closed with `protocol_abuse` after at most `maxStrikes + 1` refusals.
 */
export function attackInvariants(options: {
  serverExit: string | undefined;
  health: number;
  generated: GeneratedResult;
  inputs: number;
  reached: string[];
  floods: Record<string, FloodResult>;
  maxStrikes: number;
}): Invariant[] {
  const { generated, floods, maxStrikes } = options;
  return [
    {
      name: 'no crash',
      ok: options.serverExit === undefined && options.health === 200,
      detail: `server ${options.serverExit ?? 'running'}, /healthz ${options.health}`,
    },
    {
      name: `every one of ${generated.inputs} generated inputs answered with ok or a documented code`,
      ok: generated.unanswered === 0 && generated.undocumented === 0 && generated.inputs === options.inputs,
      detail: `${generated.unanswered} unanswered, ${generated.undocumented} undocumented; ${codesText(generated.codes)}`,
    },
    {
      name: 'the generated inputs reached the handlers',
      ok: options.reached.every((code) => (generated.codes[code] ?? 0) > 0),
      detail: codesText(generated.codes),
    },
    ...Object.entries(floods).map(([kind, flood]) => ({
      name: `flood of ${kind}: flooders closed with protocol_abuse after at most ${maxStrikes + 1} refusals`,
      ok: (flood.closes['protocol_abuse'] ?? 0) > 0 && flood.maxRefusedPerConnection <= maxStrikes + 1,
      detail: `${flood.closes['protocol_abuse'] ?? 0} closes, at most ${flood.maxRefusedPerConnection} refusals on one connection`,
    })),
  ];
}

/**
 * What a hostile run checks of the bystander and the server's memory: the bystander was never refused nor left
 * unanswered — and, on a full run, the server's RSS grew under 64 MiB while the stalled reader was held and the
 * bystander's p99 stayed under 500 ms during every flood.
 */
export function bystanderInvariants(options: {
  bystander: Record<string, PhaseSummary>;
  rss: PhaseRss;
  floods: string[];
  stalledPhase: string;
  smoke: boolean;
}): Invariant[] {
  const { bystander } = options;
  const refused = Object.values(bystander).reduce((sum, s) => sum + s.refused + s.unanswered, 0);
  const stalled = options.rss(options.stalledPhase);
  const growth = stalled.peak - stalled.start;
  return [
    { name: 'the bystander was never refused nor left unanswered', ok: refused === 0, detail: `${refused}` },
    ...(options.smoke
      ? []
      : [
          {
            name: 'server RSS growth under 64 MiB with the stalled reader',
            ok: growth < 64,
            detail: `${growth.toFixed(1)} MiB`,
          },
          ...options.floods.map((name) => ({
            name: `bystander p99 under 500 ms during the ${name}`,
            ok: (bystander[name]?.p99 ?? Infinity) < 500,
            detail: `${ms(bystander[name]?.p99)} ms (quiet: ${ms(bystander['quiet']?.p99)} ms)`,
          })),
        ]),
  ];
}

/** A hostile run's charts: the bystander's round trips by percentile per phase, the server's RSS and the round trips over time. */
export function hostileCharts(
  distribution: LatencyChart,
  rss: Array<[number, number]>,
  roundTrips: Array<[number, number]>,
): { latency: LatencyChart; overTime: TimeChart[] } {
  return {
    latency: distribution,
    overTime: [
      { title: 'Server RSS', unit: 'MiB', series: { rss } },
      { title: 'Bystander round trip', unit: 'ms', series: { 'round trip': roundTrips } },
    ],
  };
}
