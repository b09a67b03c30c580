/**
 * Why the report draws with ECharts: the same time-series chart (three
 * latency lines of N points, two labelled fault bands) rendered to SVG in
 * Node by ECharts' SSR renderer (what reports/charts.ts does) and by
 * Vega-Lite through Vega's headless view, side by side in one process:
 * module load, first render, median of 10 further renders, SVG size.
 * Vega is not a dependency of the project; install it for the bench only:
 *
 *   npm install --no-save vega@6 vega-lite@6 && npx tsx bench/report-charts/run.ts
 */
import type { TimeLine } from '../../reports/charts.ts';

const sizes = [600, 3600];
const bands = [
  { startS: 100, endS: 200, label: 'latency target-to-redis' },
  { startS: 300, endS: 350, label: 'kill redis' },
];
const line = (k: number, n: number): TimeLine['points'] =>
  Array.from({ length: n }, (_, x) => [x, (k + 1) * Math.abs(Math.sin(x / 30)) * 10 + (x > 100 && x < 200 ? 100 : 0)] as const);

async function measure(name: string, load: () => Promise<(n: number) => Promise<string> | string>) {
  const t0 = performance.now();
  const render = await load();
  const loadMs = performance.now() - t0;
  for (const n of sizes) {
    const t1 = performance.now();
    const svg = await render(n);
    const firstMs = performance.now() - t1;
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await render(n);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`| ${name} | ${n} | ${loadMs.toFixed(0)} | ${firstMs.toFixed(0)} | ${times[5].toFixed(0)} | ${(svg.length / 1024).toFixed(0)} |`);
  }
}

console.log('| library | points a line | load ms | first render ms | median render ms | SVG KB |');
console.log('| --- | --- | --- | --- | --- | --- |');
await measure('ECharts (reports/charts.ts)', async () => {
  const { timeChart } = await import('../../reports/charts.ts');
  return (n) => timeChart({ lines: [0, 1, 2].map((k) => ({ name: `p${k}`, points: line(k, n) })), unit: 'ms', bands, xMaxS: n });
});
await measure('Vega-Lite via vega.View', async () => {
  // Names in variables, so the type checker does not look for packages the project does not install.
  const [vegaName, vlName] = ['vega', 'vega-lite'];
  const vega = await import(vegaName);
  const vl = await import(vlName);
  return async (n) => {
    const rows = [0, 1, 2].flatMap((k) => line(k, n).map(([x, y]) => ({ x, y, name: `p${k}` })));
    const spec = {
      width: 820,
      height: 220,
      layer: [
        {
          data: { values: bands },
          mark: { type: 'rect', color: 'rgb(232,89,12)', opacity: 0.14 },
          encoding: { x: { field: 'startS', type: 'quantitative' }, x2: { field: 'endS' } },
        },
        {
          data: { values: bands },
          mark: { type: 'text', align: 'left', baseline: 'top' },
          encoding: { x: { field: 'startS', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
        },
        {
          data: { values: rows },
          mark: 'line',
          encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, color: { field: 'name' } },
        },
      ],
    };
    const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
    try {
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  };
});
