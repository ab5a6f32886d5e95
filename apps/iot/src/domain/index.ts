/**
 * The IoT app's domain, pure: the site model (building → floor → edge node → device → metric), the events the
 * Sparkplug host drives ({@link SiteEvents}), the fleet state they build, the Sparkplug topic namespace, the simulated
 * fleet's layout and the faults it takes on demand.
 */
export * from './site.js';
export * from './SiteEvents.js';
export * from './FleetState.js';
export * from './sparkplugTopic.js';
export * from './fleetLayout.js';
export * from './faults.js';
export * from './sparkplugPayload.js';
export * from './SparkplugHost.js';
