/**
 * @twohop/metrics — what every twohop server measures: the standard stream metrics in a prom-client registry,
 * served at `GET /metrics`, and HDR latency histograms for benchmark and scenario reports.
 */
export { LatencyRecorder, type LatencySummary } from './LatencyRecorder.js';
export { TimeSeries, type TimeSeriesOptions } from './TimeSeries.js';
export { metricsHandler } from './metricsHandler.js';
export { StreamMetrics, streamKind, type StreamMetricsOptions } from './StreamMetrics.js';
export { readHistogramCount, readHistogramSum, readMetric } from './readMetric.js';
