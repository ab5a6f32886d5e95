/**
 * @twohop/vue — what the twohop UIs share, as thin Vue 3 composables over the framework-free `@twohop/client`:
 * a stream client and replica views rendered at most once per animation frame, the stream inspector's figures,
 * the connection badge, the app header and inspector components. Styles: `@twohop/vue/base.css`; the Vite config
 * factory: `@twohop/vue/vite`.
 */
export { animationFrames, FrameScheduler, type FrameClock } from './frameScheduler.js';
export { emitterSource, useFrameTick, type ChangeSource, type FrameTickOptions } from './useFrameTick.js';
export { useStreamClient, type StreamClientView } from './useStreamClient.js';
export { useReplica } from './useReplica.js';
export { LatencyWindow } from './inspector/LatencyWindow.js';
export {
  emptyStats,
  StreamStats,
  type FollowedStream,
  type InspectorStats,
  type StreamStatsOptions,
} from './inspector/StreamStats.js';
export { useStreamStats, type StreamStatsView } from './inspector/useStreamStats.js';
export { default as AppHeader } from './components/AppHeader.vue';
export { default as ConnectionBadge } from './components/ConnectionBadge.vue';
export { default as StreamInspector } from './components/StreamInspector.vue';
export { rememberedIdentity, type RememberedIdentity } from './rememberedIdentity.js';
export { chartTheme, useChart, type ChartOptions, type ChartTheme } from './useChart.js';
