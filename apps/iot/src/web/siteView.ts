import type { MetricAggregate } from '../domain/aggregation/SiteAggregates';
import type { EdgeEvent, SiteTree } from '../domain/dashboardWire';
import { METRICS, type MetricName } from '../domain/site';

/** A floor as the tree and the grid show it. */
export interface FloorView {
  readonly building: string;
  readonly floor: string;
  readonly agg: Readonly<Record<string, MetricAggregate>>;
  readonly nodes: number;
  readonly offlineNodes: number;
  readonly devices: number;
}

/** A building and its floors. */
export interface BuildingView {
  readonly building: string;
  readonly agg: Readonly<Record<string, MetricAggregate>>;
  readonly floors: readonly FloorView[];
}

/** A device tile of the floor grid. */
export interface DeviceTile {
  /** `group/node/device`. */
  readonly key: string;
  readonly node: string;
  readonly device: string;
  /** Offline when its node or itself is. */
  readonly online: boolean;
}

const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** The buildings and floors of the site tree, sorted, with their aggregates. */
export function buildingsOf(site: SiteTree): BuildingView[] {
  return Object.entries(site.buildings ?? {})
    .sort(([a], [b]) => byName(a, b))
    .map(([building, state]) => ({
      building,
      agg: state.agg ?? {},
      floors: Object.entries(state.floors ?? {})
        .sort(([a], [b]) => byName(a, b))
        .map(([floor, floorState]) => {
          const nodes = Object.values(floorState.nodes ?? {});
          return {
            building,
            floor,
            agg: floorState.agg ?? {},
            nodes: nodes.length,
            offlineNodes: nodes.filter((node) => !node.online).length,
            devices: nodes.reduce((sum, node) => sum + Object.keys(node.devices).length, 0),
          };
        }),
    }));
}

/** The devices of one floor, in node then device order. */
export function devicesOf(site: SiteTree, building: string, floor: string): DeviceTile[] {
  const nodes = site.buildings?.[building]?.floors?.[floor]?.nodes ?? {};
  return Object.entries(nodes)
    .sort(([a], [b]) => byName(a, b))
    .flatMap(([node, state]) =>
      Object.entries(state.devices)
        .sort(([a], [b]) => byName(a, b))
        .map(([device, online]) => ({
          key: `${node}/${device}`,
          node,
          device,
          online: state.online && online,
        })),
    );
}

/** The newest edge events first. */
export function eventsOf(site: SiteTree): EdgeEvent[] {
  return Object.entries(site.events ?? {})
    .sort(([a], [b]) => Number(b) - Number(a))
    .map(([, event]) => event);
}

/** A value's place in the metric's healthy range, 0..1 (clamped), for colouring. */
export function scaleOf(metric: MetricName, value: number): number {
  const { min, max } = METRICS[metric];
  return Math.min(1, Math.max(0, (value - min) / (max - min)));
}

/** A tile colour: blue (low) through green to red (high); out of range is the end colour. */
export function colourOf(metric: MetricName, value: number): string {
  const hue = 220 - 220 * scaleOf(metric, value);
  return `hsl(${hue.toFixed(0)} 70% 42%)`;
}

/** A value as the UI prints it, with the metric's unit. */
export function formatValue(metric: MetricName, value: number | undefined): string {
  if (value === undefined) return '—';
  const spec = METRICS[metric];
  return `${spec.integer ? Math.round(value) : value.toFixed(1)} ${spec.unit}`;
}

/** A metric's range in the same precision as its values, without the unit: `18.6–26.5`. */
export function formatRange(metric: MetricName, min: number, max: number): string {
  const digits = METRICS[metric].integer ? 0 : 1;
  return `${min.toFixed(digits)}–${max.toFixed(digits)}`;
}
