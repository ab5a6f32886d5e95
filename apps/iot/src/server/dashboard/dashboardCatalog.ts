import { StreamCatalog, type AnySource } from '@twohop/server';
import type { ViewRegistry } from './ViewRegistry.js';

/** The dashboard streams a server serves, wherever they are numbered (the hub's publishers, or mirrors of the bus). */
export interface DashboardSources {
  readonly site: AnySource;
  readonly alarms: AnySource;
  readonly devices: AnySource;
}

/**
 * The dashboard's catalog: `alarms` reliable (never merged, never throttled: each raise, acknowledgement and clear
 * in order), `site` conflated at `siteIntervalMs` (the slow tier), `devices` conflated at one second, and each
 * `view:<id>` from `views`. Added to `catalog` when one is given (a catalog an app was built with).
 */
export function dashboardCatalog(
  sources: DashboardSources,
  views: ViewRegistry,
  siteIntervalMs = 1000,
  catalog = new StreamCatalog(),
): StreamCatalog {
  return catalog
    .add(sources.alarms, { delivery: 'reliable' })
    .add(sources.site, { delivery: 'conflate', intervalMs: siteIntervalMs })
    .add(sources.devices, { delivery: 'conflate', intervalMs: 1000 })
    .setResolver((stream) => views.resolve(stream));
}
