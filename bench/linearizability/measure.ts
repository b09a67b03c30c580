/**
 * What the linearizability benches share: running a command under
 * `/usr/bin/time` for its peak RSS, our command and Porcupine's program on
 * history files, and the statistics and tables they print. Measures;
 * asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The command users run. */
export const patternbench = fileURLToPath(new URL('../../bin/patternbench', import.meta.url));
const porcupineDir = fileURLToPath(new URL('./porcupine/', import.meta.url));
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** One file's result from either side: its verdict, the time to it, and (ours) the time with the counterexample, ms. */
export interface FileResult {
  file: string;
  valid: boolean | 'unknown';
  ms: number;
  elapsedMs: number;
}

/** A whole command's output lines (JSON), its peak RSS (KB, when `/usr/bin/time` is there) and its wall time, ms. */
export interface CommandRun {
  lines: Array<Record<string, unknown>>;
  peakKb: number | null;
  wallMs: number;
}

/** Runs a command under `/usr/bin/time`; throws with its stderr when it exits with a code not in `okCodes`. */
export function run(command: string, args: string[], okCodes: number[]): CommandRun {
  const argv = timeBin ? ['-f', '%M', command, ...args] : args;
  const started = performance.now();
  const r = spawnSync(timeBin ?? command, argv, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const wallMs = performance.now() - started;
  if (!okCodes.includes(r.status ?? -1)) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const lines = r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const peak = timeBin ? Number(r.stderr.trim().split('\n').at(-1)) : NaN;
  return { lines, peakKb: Number.isFinite(peak) ? peak : null, wallMs };
}

/** `patternbench check --json` of `files` (repeats allowed) in one process. Exit codes 0-2 are verdicts. */
export function checkOurs(files: string[], model: string, extra: string[] = []): CommandRun & { results: FileResult[] } {
  const r = run(patternbench, ['check', ...files, '--model', model, '--json', ...extra], [0, 1, 2]);
  return {
    ...r,
    results: r.lines.map((l) => ({
      file: l.file as string,
      valid: l.valid as FileResult['valid'],
      ms: l.verdictMs as number,
      elapsedMs: l.elapsedMs as number,
    })),
  };
}

/** Builds Porcupine's program (bench/linearizability/porcupine, Porcupine through the Go module proxy) into `dir`; returns its path. */
export function buildPorcupine(dir: string): string {
  const bin = join(dir, 'porcupine-bench');
  const build = spawnSync('go', ['build', '-o', bin, '.'], { cwd: porcupineDir, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`go build failed: ${build.stderr}`);
  return bin;
}

/**
 * Porcupine's program on `files`, `runs` checks each (the median) in one
 * process; `api` is which of its calls (see porcupine/main.go).
 */
export function checkPorcupine(
  bin: string,
  files: string[],
  model: string,
  opts: { runs: number; timeoutMs: number; api?: 'operations' | 'verbose' | 'events'; init?: string },
): CommandRun & { results: FileResult[] } {
  const args = ['-model', model, '-runs', String(opts.runs), '-timeout', `${opts.timeoutMs}ms`, '-api', opts.api ?? 'operations'];
  const r = run(bin, [...args, ...(opts.init === undefined ? [] : ['-init', opts.init]), ...files], [0]);
  return {
    ...r,
    results: r.lines.map((l) => ({ file: l.file as string, valid: l.valid as FileResult['valid'], ms: l.ms as number, elapsedMs: l.ms as number })),
  };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function geometricMean(xs: readonly number[]): number {
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}

/** `k/n`: how many of the ratios are at or below 1.0. */
export function atMostOne(xs: readonly number[]): string {
  return `${xs.filter((x) => x <= 1).length}/${xs.length}`;
}

/** A markdown table: the first column left-aligned, the rest right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, c) => (c === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
