import type { Op } from '../history/op.ts';
import type { LinearVerdict, OpInterval } from '../checkers/linearizability/index.ts';
import { models } from '../checkers/models/index.ts';

/** One operation as drawn: its invoke paired with its completion (none when the history ends first). */
interface Bar {
  process: number;
  f: string;
  key: string | null;
  input: unknown;
  output: unknown;
  /** `open`: the history ended before a completion; drawn like `info`, since a checker treats it so. */
  type: 'ok' | 'fail' | 'info' | 'open';
  invokeIndex: number;
  completeIndex: number | null;
  x0: number;
  /** null runs to the end of the axis (`info`, `open`). */
  x1: number | null;
  /** 1-based position in a counterexample's linearized prefix. */
  order?: number;
  unplaced?: boolean;
}

/**
 * Operations drawn at most unless told otherwise. A bar costs some 450 bytes
 * of page, so 2 000 keep it near a megabyte, which headless Chromium loads in
 * under half a second; 200 000 bars made 86 MB that took it 35 s.
 */
export const DEFAULT_MAX_OPS = 2_000;

const LANE_PX = 30;
const BAR_PX = 20;
/** Left padding of the scrolling plot; the lane names sit in their own column so they stay in view. */
const GUTTER_PX = 16;
const LABELS_PX = 70;
const AXIS_PX = 30;

/**
 * Renders a linearizability verdict over its history as one self-contained
 * HTML page (inline CSS, JS and SVG; no network): a lane per process, a bar
 * per operation over its invoke → completion interval (`info` runs to the end,
 * hatched), the counterexample's linearized prefix numbered in order, its
 * unplaced ops and failing point in red, a partition selector when the
 * history has several keys, details on hover. The x axis is `time` (ns) when
 * the history carries distinct times, else the op index.
 *
 * A history of more than `maxOps` operations (default {@link DEFAULT_MAX_OPS})
 * is drawn as a window, and a notice above the chart says which operations
 * it shows and how many it leaves out (see {@link thin}); the counterexample
 * panels list at most the last `maxOps` ops of a prefix. Pure; throws a
 * RangeError when `maxOps` is not a positive integer.
 */
export function renderLinearizabilityHtml(history: readonly Op[], verdict: LinearVerdict, opts: { title?: string; maxOps?: number } = {}): string {
  const maxOps = opts.maxOps ?? DEFAULT_MAX_OPS;
  if (!Number.isInteger(maxOps) || maxOps < 1) throw new RangeError(`maxOps must be a positive integer, got ${maxOps}`);
  const thinned = thin(history, verdict, maxOps);
  const drawn = thinned?.ops ?? history;
  const useTime = drawn.length > 1 && drawn.some((op) => op.time !== drawn[0].time);
  const xOf = (op: Op) => (useTime ? op.time : op.index);
  const bars = pairOps(drawn, xOf);
  const byInvoke = new Map(bars.map((b) => [b.invokeIndex, b]));
  const counterexamples = verdict.counterexample ?? [];
  counterexamples.forEach((cx) => {
    cx.prefix.forEach((iv, i) => {
      const b = byInvoke.get(iv.invokeIndex);
      if (b) b.order = i + 1;
    });
    cx.unplaced.forEach((iv) => {
      const b = byInvoke.get(iv.invokeIndex);
      if (b) b.unplaced = true;
    });
  });
  const nemesis = drawn.filter((op) => op.process === 'nemesis');

  const xs = drawn.map(xOf);
  // A reduce, not Math.min(...xs): spreading a long history overflows the stack.
  const xMin = xs.length ? xs.reduce((a, b) => Math.min(a, b)) : 0;
  const xMax = xs.length ? xs.reduce((a, b) => Math.max(a, b)) : 1;
  const span = Math.max(xMax - xMin, 1);
  // Wide enough that neighbouring events stay apart; the page scrolls sideways.
  const plotPx = Math.min(Math.max(drawn.length * 28, 900), 40_000);
  const endPx = GUTTER_PX + plotPx + 40;
  const px = (x: number) => GUTTER_PX + ((x - xMin) / span) * plotPx;

  const processes = [...new Set(bars.map((b) => b.process))].sort((a, b) => a - b);
  const lanes: Array<number | 'nemesis'> = nemesis.length ? [...processes, 'nemesis'] : processes;
  const laneY = (p: number | 'nemesis') => AXIS_PX + lanes.indexOf(p) * LANE_PX;
  const height = AXIS_PX + lanes.length * LANE_PX + 24;
  const width = endPx + 10;

  const keys = [...new Set(bars.map((b) => b.key))];
  const partitions = keys.filter((k): k is string => k !== null).sort();
  const firstBad = counterexamples[0]?.partition ?? null;

  const labels = lanes.map(
    (p) => `<text class="lane-label" data-lane="${p}" x="8" y="${laneY(p) + LANE_PX / 2 + 4}">${p === 'nemesis' ? 'nemesis' : `p${p}`}</text>`,
  );
  const labelSvg = `<svg class="labels" width="${LABELS_PX}" height="${height}">${lanes.map((p, i) => `<rect x="0" y="${laneY(p)}" width="${LABELS_PX}" height="${LANE_PX}" fill="${i % 2 ? '#fafafa' : '#f1f3f6'}"/>`).join('')}${labels.join('')}</svg>`;
  const svg: string[] = [];
  svg.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="operations by process">`);
  svg.push(
    `<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff4d6"/><line x1="0" y1="0" x2="0" y2="6" stroke="#d9a520" stroke-width="2"/></pattern></defs>`,
  );
  lanes.forEach((p, i) => {
    const y = laneY(p);
    svg.push(
      `<g class="lane" data-lane="${p}"><rect class="lane-bg" x="0" y="${y}" width="${width}" height="${LANE_PX}" fill="${i % 2 ? '#fafafa' : '#f1f3f6'}"/></g>`,
    );
  });
  svg.push(axis(xMin, xMax, px, height, useTime));
  for (const op of nemesis) {
    const x = px(xOf(op));
    const y = laneY('nemesis');
    svg.push(
      `<g class="nemesis" data-detail="${attr(`nemesis ${op.f} ${fmt(op.value)} at ${useTime ? `${fmtTime(op.time)}` : `index ${op.index}`}`)}"><line x1="${x}" y1="${AXIS_PX}" x2="${x}" y2="${height - 24}" stroke="#b07cc6" stroke-dasharray="2 3"/><circle cx="${x}" cy="${y + LANE_PX / 2}" r="5" fill="#b07cc6"/><text class="bar-label" x="${x + 8}" y="${y + LANE_PX / 2 + 4}">${esc(op.f)}</text></g>`,
    );
  }
  bars.forEach((b, i) => {
    const x0 = px(b.x0);
    const x1 = b.x1 === null ? endPx : Math.max(px(b.x1), x0 + 4);
    const y = laneY(b.process) + (LANE_PX - BAR_PX) / 2;
    const cls = ['op', b.type, b.order ? 'prefix' : '', b.unplaced ? 'unplaced' : ''].filter(Boolean).join(' ');
    const label = `${b.order ? `${b.order}. ` : ''}${label3(b)}`;
    svg.push(
      `<g class="${cls}" data-i="${i}" data-part="${attr(b.key ?? '')}"><rect x="${x0}" y="${y}" width="${x1 - x0}" height="${BAR_PX}" rx="3"/><svg x="${x0}" y="${y}" width="${x1 - x0}" height="${BAR_PX}"><text class="bar-label" x="4" y="${BAR_PX / 2 + 4}">${esc(label)}</text></svg></g>`,
    );
  });
  counterexamples.forEach((cx, ci) => {
    const ends = cx.unplaced
      .map((iv) => byInvoke.get(iv.invokeIndex))
      .filter((b): b is Bar => !!b && b.x1 !== null)
      .map((b) => b.x1 as number);
    if (!ends.length) return;
    // The failing point: the first moment an unplaced op had to have taken
    // effect, yet no order of the ops so far explains what was observed.
    const x = px(ends.reduce((a, b) => Math.min(a, b)));
    svg.push(
      `<g class="failing-point" data-cx="${ci}" data-part="${attr(cx.partition ?? '')}"><line x1="${x}" y1="${AXIS_PX - 4}" x2="${x}" y2="${height - 18}" stroke="#d0021b" stroke-width="2" stroke-dasharray="6 3"/><text x="${x}" y="${height - 5}" text-anchor="middle" style="fill:#d0021b;font-weight:bold">fails here</text></g>`,
    );
  });
  svg.push('</svg>');

  const panels = counterexamples
    .map((cx, ci) => {
      // A prefix can be as long as its partition; the ops just before the failure are the ones a reader needs.
      const unlisted = Math.max(cx.prefix.length - maxOps, 0);
      return `<section class="cx" data-cx="${ci}" data-part="${attr(cx.partition ?? '')}">
<h2>Counterexample${cx.partition !== null ? ` for key <code>${esc(cx.partition)}</code>` : ''}</h2>
${thinned && ci > 0 ? `<p><strong>Not drawn:</strong> the chart shows only key <code>${esc(counterexamples[0].partition ?? '')}</code>.</p>\n` : ''}<p>The longest linearizable prefix (${cx.prefix.length} ops) leaves the state at <code>${esc(cx.state)}</code>; from there no unplaced op can go next.</p>
<details${cx.prefix.length <= 12 ? ' open' : ''}><summary>Linearized prefix, in order (${cx.prefix.length} ops)</summary>
${unlisted ? `<p>The first ${count(unlisted)} are not listed.</p>` : ''}<ol${unlisted ? ` start="${unlisted + 1}"` : ''}>${
        cx.prefix
          .slice(unlisted)
          .map((iv) => `<li>${esc(describeInterval(iv))}</li>`)
          .join('') || '<li class="none">(empty)</li>'
      }</ol></details>
<h3 class="bad">Unplaced</h3>
<ul class="bad">${cx.unplaced.map((iv) => `<li>${esc(describeInterval(iv))}</li>`).join('')}</ul>
</section>`;
    })
    .join('\n');

  const verdictText = verdict.valid === true ? 'linearizable' : verdict.valid === false ? 'NOT linearizable' : 'unknown';
  const verdictClass = verdict.valid === true ? 'valid' : verdict.valid === false ? 'invalid' : 'unknown';
  const title = opts.title ?? 'Linearizability';
  const selector =
    partitions.length > 1
      ? `<label>key <select id="part"><option value="*">all keys</option>${partitions.map((k) => `<option value="${attr(k)}"${k === firstBad ? ' selected' : ''}>${esc(k)}${counterexamples.some((c) => c.partition === k) ? ' ✗' : ''}</option>`).join('')}</select></label>`
      : '';
  const details = bars.map((b) => ({
    process: b.process,
    f: b.f,
    key: b.key,
    input: b.input,
    output: b.output,
    type: b.type,
    invokeIndex: b.invokeIndex,
    completeIndex: b.completeIndex,
    order: b.order ?? null,
    unplaced: !!b.unplaced,
    from: useTime ? fmtTime(b.x0) : `index ${b.x0}`,
    to: b.x1 === null ? 'never (may take effect any time later)' : useTime ? fmtTime(b.x1) : `index ${b.x1}`,
  }));

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<style>${CSS}</style></head>
<body>
<header><h1>${esc(title)}</h1>
<p><span class="verdict ${verdictClass}">${verdictText}</span> model <code>${esc(verdict.model)}</code> · ${verdict.ops} ops · ${verdict.partitions} partition${verdict.partitions === 1 ? '' : 's'} · checked in ${Math.round(verdict.elapsedMs)} ms${verdict.reason ? ` · ${esc(verdict.reason)}` : ''}</p>
<p class="legend"><span class="sw ok"></span>ok <span class="sw prefix"></span>in the linearized prefix (numbered) <span class="sw unplaced"></span>unplaced <span class="sw info"></span>info: may take effect any time later <span class="sw fail"></span>fail: did not happen · x axis: ${useTime ? 'time since the run started' : 'op index'} ${selector}</p>${
    thinned
      ? `
<p class="thinned" role="note" style="background:#fff4d6;border:1px solid #d9a520;padding:4px 8px;font-weight:bold">${esc(thinned.notice)}</p>`
      : ''
  }</header>
<div id="plot">${labelSvg}<div id="chart">${svg.join('\n')}</div></div>
<div id="tip" hidden></div>
${panels}
<script>const OPS = ${JSON.stringify(details).replace(/</g, '\\u003c')};
${JS}</script>
</body></html>
`;
}

/** Pairs each client invoke with its completion; nemesis events are drawn apart. */
function pairOps(history: readonly Op[], xOf: (op: Op) => number): Bar[] {
  const bars: Bar[] = [];
  const open = new Map<number, Bar>();
  for (const op of history) {
    if (op.process === 'nemesis') continue;
    if (op.type === 'invoke') {
      const bar: Bar = {
        process: op.process,
        f: op.f,
        key: op.key ?? null,
        input: op.value,
        output: undefined,
        type: 'open',
        invokeIndex: op.index,
        completeIndex: null,
        x0: xOf(op),
        x1: null,
      };
      open.set(op.process, bar);
      bars.push(bar);
      continue;
    }
    const bar = open.get(op.process);
    if (!bar) continue;
    open.delete(op.process);
    bar.type = op.type;
    bar.completeIndex = op.index;
    if (op.type === 'info') continue;
    bar.x1 = xOf(op);
    if (op.type === 'ok') bar.output = op.value;
  }
  return bars;
}

/** What a page draws of a history too long to draw whole. */
interface Thinned {
  /** The drawn operations' invokes and completions, and the nemesis events among them, in history order. */
  ops: Op[];
  /** What is shown and what is left out, in a sentence or three. */
  notice: string;
}

/**
 * Chooses what to draw of a history with more than `maxOps` operations, or
 * null when it has no more and is drawn whole. For a counterexample: the
 * first failing partition's operations, at most `maxOps` of them in invoke
 * order, ending with the last one invoked before the failing point (the
 * earliest return among the unplaced `ok` ops, as the checker defines it).
 * Every op invoked before that point is in the prefix or unplaced, or
 * constrains nothing (a fail, an info read), so the window holds the
 * prefix's last ops and all the unplaced ops that fit. It is contiguous
 * rather than the prefix's ops alone, so the fails and info ops among them
 * stay in view and the notice can name it as a range. Any other verdict
 * shows the first `maxOps` operations. Nemesis events are drawn when they
 * fall between the window's first and last op. Pure.
 */
function thin(history: readonly Op[], verdict: LinearVerdict, maxOps: number): Thinned | null {
  // Only membership and order matter here, so the x of a bar is its op index.
  const calls = pairOps(history, (op) => op.index);
  if (calls.length <= maxOps) return null;
  const cx = verdict.counterexample?.[0];
  const partition = partitionOf(verdict.model);
  const inPartition = cx === undefined ? [] : cx.partition === null ? calls : calls.filter((b) => partition(b) === cx.partition);
  const failIndex =
    cx === undefined
      ? Infinity
      : cx.unplaced.reduce((min, iv) => (iv.type === 'ok' && iv.completeIndex !== null ? Math.min(min, iv.completeIndex) : min), Infinity);
  const end = inPartition.findLastIndex((b) => b.invokeIndex < failIndex);
  let drawn: Bar[];
  let notice: string;
  // A window with nothing in it would say nothing true: then the first ops are drawn, as for a valid verdict.
  if (cx && end >= 0) {
    const start = Math.max(end + 1 - maxOps, 0);
    drawn = inPartition.slice(start, end + 1);
    const where = cx.partition === null ? '' : cx.partition === '' ? ' without a key' : ` on key ${cx.partition}`;
    const otherKeys = new Set(calls.map(partition)).size - 1;
    const others =
      cx.partition !== null && otherKeys > 0 ? `, among them every operation on the ${otherKeys === 1 ? 'other key' : `${count(otherKeys)} other keys`}` : '';
    notice = `Not the whole history: showing operations ${count(start + 1)}–${count(end + 1)} of ${count(inPartition.length)}${where}, up to where it fails; ${count(calls.length - drawn.length)} of the history's ${count(calls.length)} operations are not drawn${others}.`;
    const shown = new Set(drawn.map((b) => b.invokeIndex));
    const prefixOut = cx.prefix.filter((iv) => !shown.has(iv.invokeIndex)).length;
    const unplacedOut = cx.unplaced.filter((iv) => !shown.has(iv.invokeIndex)).length;
    const left = [
      prefixOut ? `${count(prefixOut)} of the counterexample's ${count(cx.prefix.length)} linearized ops` : '',
      unplacedOut ? `${count(unplacedOut)} of its ${count(cx.unplaced.length)} unplaced ops` : '',
    ].filter(Boolean);
    if (left.length) notice += ` Invoked before the window, so not drawn: ${left.join(' and ')}.`;
  } else {
    drawn = calls.slice(0, maxOps);
    notice = `Not the whole history: showing operations 1–${count(maxOps)} of ${count(calls.length)} (the first invoked); ${count(calls.length - maxOps)} operations are not drawn.`;
  }

  const keep = new Set<number>();
  for (const b of drawn) {
    keep.add(b.invokeIndex);
    if (b.completeIndex !== null) keep.add(b.completeIndex);
  }
  const first = drawn.length ? drawn[0].invokeIndex : Infinity;
  const last = drawn.reduce((max, b) => Math.max(max, b.completeIndex ?? b.invokeIndex), -Infinity);
  const isNemesis = (op: Op) => op.process === 'nemesis';
  const ops = history.filter((op) => keep.has(op.index) || (isNemesis(op) && op.index >= first && op.index <= last));
  const nemesisOut = history.filter(isNemesis).length - ops.filter(isNemesis).length;
  if (nemesisOut)
    notice += ` ${count(nemesisOut)} nemesis event${nemesisOut === 1 ? '' : 's'} outside the window ${nemesisOut === 1 ? 'is' : 'are'} not drawn either.`;
  return { ops, notice };
}

/**
 * The partition (key) an op belongs to by the verdict's model's own rule
 * (kv files an op without a key under ""), so that it matches a
 * counterexample's `partition`; the op's `key` for a model not in the
 * catalogue.
 */
function partitionOf(modelName: string): (b: Bar) => string | null {
  const model = Object.hasOwn(models, modelName) ? models[modelName] : undefined;
  if (!model?.partition) return model ? () => null : (b) => b.key;
  const rule = model.partition;
  return (b) => rule({ f: b.f, input: b.input, output: b.output, ...(b.key === null ? {} : { key: b.key }) });
}

/** A count as a reader expects it: 200,000. */
function count(n: number): string {
  return n.toLocaleString('en-US');
}

function label3(b: { f: string; input: unknown; output: unknown; type: string }): string {
  const out = b.type === 'ok' ? fmt(b.output) : b.type === 'fail' ? 'fail' : '?';
  return `${b.f} ${fmt(b.input)} → ${out}`;
}

function describeInterval(iv: OpInterval): string {
  const key = iv.key !== undefined ? `[${iv.key}] ` : '';
  return `p${iv.process} ${key}${label3({ f: iv.f, input: iv.input, output: iv.output, type: iv.type })}  (op ${iv.invokeIndex}${iv.completeIndex === null ? ', never completed' : `–${iv.completeIndex}`})`;
}

function axis(xMin: number, xMax: number, px: (x: number) => number, height: number, useTime: boolean): string {
  const out = ['<g class="axis">'];
  const step = niceStep((xMax - xMin) / 10);
  for (let x = Math.ceil(xMin / step) * step; x <= xMax; x += step) {
    out.push(
      `<line x1="${px(x)}" y1="${AXIS_PX - 4}" x2="${px(x)}" y2="${height - 24}" stroke="#dde"/><text x="${px(x)}" y="${AXIS_PX - 8}" text-anchor="middle">${useTime ? fmtTime(x) : x}</text>`,
    );
  }
  out.push('</g>');
  return out.join('');
}

function niceStep(raw: number): number {
  if (raw <= 1) return 1;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const m = raw / pow;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * pow;
}

function fmtTime(ns: number): string {
  if (ns >= 1e9) return `${+(ns / 1e9).toFixed(3)} s`;
  if (ns >= 1e6) return `${+(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${+(ns / 1e3).toFixed(1)} µs`;
  return `${ns} ns`;
}

function fmt(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(s: string): string {
  return esc(s).replace(/"/g, '&quot;');
}

const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; } h3 { font-size: 14px; margin: 8px 0 4px; }
code { background: #f3f3f3; padding: 0 3px; }
.verdict { font-weight: bold; padding: 2px 8px; border-radius: 4px; color: #fff; }
.verdict.valid { background: #2e8b3a; } .verdict.invalid { background: #d0021b; } .verdict.unknown { background: #a07000; }
.legend .sw { display: inline-block; width: 16px; height: 10px; border: 1px solid #888; margin: 0 3px 0 10px; vertical-align: middle; }
.sw.ok { background: #d6e6ff; } .sw.prefix { background: #c9ecc9; } .sw.unplaced { background: #ffc9c9; border-color: #d0021b; }
.sw.info { background: repeating-linear-gradient(45deg, #fff4d6 0 3px, #d9a520 3px 5px); } .sw.fail { background: #eee; border-style: dashed; }
#plot { display: flex; border: 1px solid #ccd; } #chart { overflow-x: auto; flex: 1; } .labels { flex: none; border-right: 1px solid #ccd; }
summary { font-weight: bold; margin: 8px 0 4px; cursor: pointer; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
.lane-label { font-weight: bold; }
/* Labels are clipped to their bar; the bar, not its text, takes the pointer. */
.bar-label { pointer-events: none; }
.op rect { fill: #d6e6ff; stroke: #4a7bd0; }
.op.prefix rect { fill: #c9ecc9; stroke: #2e8b3a; }
.op.info rect, .op.open rect { fill: url(#hatch); stroke: #b08000; }
.op.fail rect { fill: #eee; stroke: #999; stroke-dasharray: 3 2; }
.op.fail text { fill: #888; }
.op.unplaced rect { fill: #ffc9c9; stroke: #d0021b; stroke-width: 2.5; }
.op.unplaced text { fill: #a00010; font-weight: bold; }
.op:hover rect { stroke-width: 3; }
.dim { opacity: 0.15; } .hidden { display: none; }
#tip { position: fixed; pointer-events: none; background: #222; color: #fff; padding: 6px 8px; border-radius: 4px; font: 12px ui-monospace, monospace; white-space: pre; z-index: 2; }
.cx { border-left: 4px solid #d0021b; padding-left: 12px; margin-top: 16px; }
.cx li { font-family: ui-monospace, monospace; } .bad, .bad li { color: #a00010; }
`;

// Hover details and the partition selector; everything else is static SVG,
// so the page still reads with scripts off.
const JS = `
const show = (v) => v === null || v === undefined ? 'nil' : typeof v === 'string' ? v : JSON.stringify(v);
const tip = document.getElementById('tip');
document.querySelectorAll('.op, .nemesis').forEach((g) => {
  g.addEventListener('mousemove', (e) => {
    const o = g.dataset.i !== undefined ? OPS[Number(g.dataset.i)] : null;
    tip.textContent = o ? [
      'process ' + o.process + (o.key !== null ? '  key ' + o.key : ''),
      o.f + ' ' + show(o.input) + ' → ' + (o.type === 'ok' ? show(o.output) : o.type),
      'from ' + o.from + '  to ' + o.to,
      'ops ' + o.invokeIndex + (o.completeIndex === null ? '' : '–' + o.completeIndex),
      o.order ? 'linearized #' + o.order : o.unplaced ? 'UNPLACED: cannot be linearized here' : '',
    ].filter(Boolean).join('\\n') : g.dataset.detail;
    tip.hidden = false;
    tip.style.left = (e.clientX + 14) + 'px';
    tip.style.top = (e.clientY + 14) + 'px';
  });
  g.addEventListener('mouseleave', () => { tip.hidden = true; });
});
const sel = document.getElementById('part');
function applyPart() {
  const k = sel ? sel.value : '*';
  document.querySelectorAll('.op').forEach((g) => g.classList.toggle('dim', k !== '*' && g.dataset.part !== k));
  document.querySelectorAll('.cx, .failing-point').forEach((g) => g.classList.toggle('hidden', k !== '*' && g.dataset.part !== '' && g.dataset.part !== k));
}
if (sel) { sel.addEventListener('change', applyPart); applyPart(); }
// Open on the failure: long histories are far wider than the window.
const fp = [...document.querySelectorAll('.failing-point')].find((g) => !g.classList.contains('hidden'));
if (fp) { const chart = document.getElementById('chart'); chart.scrollLeft = Number(fp.querySelector('line').getAttribute('x1')) - chart.clientWidth / 2; }
`;
