import * as echarts from 'echarts';
import type { Unit } from './family-views.ts';

/**
 * Charts as static SVG, rendered in Node when the report is written, by
 * Apache ECharts' server-side SVG renderer: no browser, no canvas, nothing
 * fetched when the page opens. ECharts escapes every text it draws (series
 * names, labels, categories), so names from a suite or a history are safe in
 * its SVG. Every function here is pure apart from ECharts' own allocation,
 * released before it returns.
 */

/** A fault's active span on a chart's time axis, seconds since the run started. */
export interface Band {
  startS: number;
  endS: number;
  label: string;
}

/** The fill of fault bands: one colour for every fault, so a reader (and the browser test) can tell bands from data. */
export const BAND_FILL = 'rgb(232,89,12)';
const BAND_OPACITY = 0.14;

const WIDTH = 880;
const HEIGHT = 270;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';

/** How a unit's values are drawn: ratios as percentages. */
function scale(unit: Unit | undefined): { k: number; axis: string } {
  switch (unit) {
    case 'ratio':
      return { k: 100, axis: '%' };
    case 'ms':
      return { k: 1, axis: 'ms' };
    case 'perSecond':
      return { k: 1, axis: '/s' };
    default:
      return { k: 1, axis: '' };
  }
}

function render(option: echarts.EChartsCoreOption, height = HEIGHT): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT }, ...option });
    return chart.renderToSVGString({ useViewBox: true });
  } finally {
    chart.dispose();
  }
}

/** The fault bands as ECharts draws them: a series of its own holding only the shaded areas, each labelled. */
function bandSeries(bands: readonly Band[]) {
  return {
    name: 'faults',
    type: 'line',
    data: [],
    silent: true,
    markArea: {
      silent: true,
      itemStyle: { color: BAND_FILL, opacity: BAND_OPACITY },
      // Written up the band's left edge: a 3 s fault in a minute's run is narrower than its name.
      label: { show: true, position: 'insideBottomLeft', rotate: 90, distance: 3, color: '#8a3a0a', fontSize: 10, align: 'left', verticalAlign: 'top' },
      data: bands.map((b) => [{ name: b.label, xAxis: b.startS }, { xAxis: b.endS }]),
    },
  };
}

export interface TimeLine {
  name: string;
  /** A fixed colour where it carries meaning (fail red, info amber); else the palette's next. */
  color?: string;
  points: ReadonlyArray<readonly [number, number | null | undefined]>;
}

/**
 * A time-series chart: seconds since the run started across, `unit` up, one
 * line a series, every fault window shaded and labelled (as Jepsen's latency
 * and rate plots shade nemesis activity). A null point is a gap.
 */
export function timeChart(opts: { lines: readonly TimeLine[]; unit: Unit; bands: readonly Band[]; xMaxS: number; yName?: string; logY?: boolean }): string {
  const { k, axis } = scale(opts.unit);
  return render({
    grid: { left: 64, right: 24, top: 28, bottom: 62 },
    legend: { bottom: 0, data: opts.lines.map((l) => l.name), type: 'scroll' },
    xAxis: { type: 'value', name: 's', nameLocation: 'end', min: 0, max: niceMax(opts.xMaxS) },
    yAxis: { type: opts.logY ? 'log' : 'value', name: opts.yName ?? axis, min: opts.logY ? undefined : 0 },
    series: [
      ...opts.lines.map((l) => ({
        name: l.name,
        type: 'line',
        ...(l.color ? { color: l.color } : {}),
        showSymbol: l.points.length < 60,
        symbolSize: 4,
        connectNulls: false,
        lineStyle: { width: 1.5 },
        data: l.points.map(([x, y]) => [x, y === null || y === undefined || (opts.logY && y <= 0) ? null : y * k]),
      })),
      bandSeries(opts.bands),
    ],
  });
}

/** Grouped bars: one group a category (a pattern), one bar a series (a figure); a missing value draws no bar. */
export function barsChart(opts: {
  categories: readonly string[];
  series: ReadonlyArray<{ name: string; values: ReadonlyArray<number | undefined> }>;
  unit: Unit;
}): string {
  const { k, axis } = scale(opts.unit);
  return render({
    grid: { left: 64, right: 24, top: 40, bottom: 56 },
    legend: { top: 4 },
    xAxis: { type: 'category', data: [...opts.categories], axisLabel: { interval: 0, overflow: 'truncate', width: 160 } },
    yAxis: { type: 'value', name: axis, min: 0, max: opts.unit === 'ratio' ? 100 : undefined },
    series: opts.series.map((s) => ({
      name: s.name,
      type: 'bar',
      label: { show: true, position: 'top', fontSize: 10, formatter: (p: { value: number }) => `${round(p.value)}${axis === '%' ? '%' : ''}` },
      data: s.values.map((v) => (v === undefined ? null : v * k)),
    })),
  });
}

/** One labelled point a pattern, on two figures. */
export function scatterChart(opts: {
  points: ReadonlyArray<{ name: string; x: number; y: number }>;
  x: { name: string; unit: Unit };
  y: { name: string; unit: Unit };
}): string {
  const [sx, sy] = [scale(opts.x.unit), scale(opts.y.unit)];
  return render({
    grid: { left: 64, right: 40, top: 40, bottom: 48 },
    legend: { top: 4 },
    xAxis: { type: 'value', name: `${opts.x.name}${sx.axis ? ` (${sx.axis})` : ''}`, nameLocation: 'middle', nameGap: 28, scale: true },
    yAxis: { type: 'value', name: `${opts.y.name}${sy.axis ? ` (${sy.axis})` : ''}`, scale: true },
    series: opts.points.map((p) => ({
      name: p.name,
      type: 'scatter',
      symbolSize: 12,
      label: { show: true, position: 'right', formatter: p.name },
      data: [[p.x * sx.k, p.y * sy.k]],
    })),
  });
}

/** Curves of points (t-visibility): one line a pattern. */
export function curvesChart(opts: { lines: readonly TimeLine[]; x: { name: string; unit: Unit }; y: { name: string; unit: Unit } }): string {
  const [sx, sy] = [scale(opts.x.unit), scale(opts.y.unit)];
  return render({
    grid: { left: 64, right: 40, top: 28, bottom: 72 },
    legend: { bottom: 0, type: 'scroll' },
    xAxis: { type: 'log', name: `${opts.x.name}${sx.axis ? ` (${sx.axis}, log)` : ' (log)'}`, nameLocation: 'middle', nameGap: 26, logBase: 10 },
    yAxis: { type: 'value', name: `${opts.y.name}${sy.axis ? ` (${sy.axis})` : ''}`, min: 0, max: opts.y.unit === 'ratio' ? 100 : undefined },
    series: opts.lines.map((l) => ({
      name: l.name,
      type: 'line',
      showSymbol: true,
      symbolSize: 5,
      // A log axis has no 0: the first bucket (t = 0) is drawn at the axis' left end, 0.1 of its unit.
      data: l.points.map(([x, y]) => [Math.max(x * sx.k, 0.1), y === null || y === undefined ? null : y * sy.k]),
    })),
  });
}

/** The time axis' end: the run's end rounded up to a whole second (to 10 s past a minute), so its last label is a round number. */
function niceMax(s: number): number {
  return s <= 60 ? Math.max(1, Math.ceil(s)) : Math.ceil(s / 10) * 10;
}

function round(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}
