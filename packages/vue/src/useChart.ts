import uPlot, { type AlignedData, type Axis, type Options } from 'uplot';
import { onBeforeUnmount, onMounted, type Ref } from 'vue';

/** The CSS tokens of base.css, read as the page has them now, for a chart's own drawing. */
export interface ChartTheme {
  /** The value of a `--th-*` custom property. */
  color(name: `--th-${string}`): string;
  /** Axis colours, grid and font, shared by every chart. */
  readonly axis: Axis;
}

/** The page's chart theme: axes and grid in the muted and border tokens, the UI's font at 11 px. */
export function chartTheme(): ChartTheme {
  const css = getComputedStyle(document.documentElement);
  const color = (name: string) => css.getPropertyValue(name).trim();
  return {
    color,
    axis: {
      stroke: color('--th-muted'),
      grid: { stroke: color('--th-border'), width: 1 },
      ticks: { stroke: color('--th-border'), width: 1 },
      font: '11px system-ui, sans-serif',
    },
  };
}

/** Options for {@link useChart}. */
export interface ChartOptions {
  /** The element the chart is drawn in; it takes the element's width, and follows it when it is resized. */
  host: Ref<HTMLElement | undefined>;
  height: number;
  /** The chart's uPlot options (without size) in the page's theme. */
  options(theme: ChartTheme): Omit<Options, 'width' | 'height'>;
  data(): AlignedData;
  /** Width while the element has none yet (it is hidden, say). @default 300 */
  fallbackWidth?: number;
}

/**
 * A uPlot chart tied to a component's life: made on mount at the host's width in the page's theme, resized with the
 * host, destroyed on unmount. Returns the chart while it exists, for `setData` and scales.
 */
export function useChart(chart: ChartOptions): () => uPlot | undefined {
  let plot: uPlot | undefined;
  let resize: ResizeObserver | undefined;
  onMounted(() => {
    const element = chart.host.value!;
    const width = element.clientWidth || (chart.fallbackWidth ?? 300);
    plot = new uPlot({ ...chart.options(chartTheme()), width, height: chart.height }, chart.data(), element);
    resize = new ResizeObserver(() => plot?.setSize({ width: element.clientWidth, height: chart.height }));
    resize.observe(element);
  });
  onBeforeUnmount(() => {
    resize?.disconnect();
    plot?.destroy();
    plot = undefined;
  });
  return () => plot;
}
