import { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { readHistory, readHistoryLines, type Op } from '../../history/index.ts';
import { HistoryError } from '../../history/parse.ts';
import {
  checkLinearizable,
  DEFAULT_EXPLAIN_TIMEOUT_MS,
  DEFAULT_MAX_MEMORY_BYTES,
  type LinearVerdict,
  type OpInterval,
} from '../../checkers/linearizability/index.ts';
import { renderLinearizabilityHtml } from '../../reports/linearizability-html.ts';
import { models } from '../../checkers/models/index.ts';
import { checkListAppend, CONSISTENCY_MODELS, type ListAppendVerdict } from '../../checkers/list-append/index.ts';
import { describeListAppend } from '../../checkers/list-append/describe.ts';

/** Flags of `patternbench check`, as commander hands them over (strings until validated here). */
export interface CheckOptions {
  model?: string;
  /** JSON text of the model's initial value. */
  init?: string;
  /** Per-file budget for the verdict, seconds. */
  timeout?: string | number;
  /** Per-file budget for a counterexample once the verdict is false, seconds. */
  explainTimeout?: string | number;
  /** Bound on the process's RSS while a file is checked, MB. */
  maxMemory?: string | number;
  json?: boolean;
  /** Folder for one `<file-basename>.html` a file. */
  html?: string;
  /** list-append only: the models the history must satisfy, comma-separated. */
  consistencyModels?: string;
}

/** Where `runCheck` writes: a line at a time, no trailing newline. */
export interface CheckIo {
  out(line: string): void;
  err(line: string): void;
}

/**
 * Checks each history file for linearizability under one model, in one
 * process. Returns the exit code rather than exiting: 3 for a usage error
 * (before any file is read); otherwise 1 if any file is invalid, else 3 if
 * any file could not be read or checked (`file:line: …` on `err`), else 2 if
 * any is unknown, else 0. A found violation outranks a bad file because it is
 * the definite answer; a bad file outranks unknown so that it never passes
 * unnoticed. A history with no client operation (empty, blank, fault events
 * only) is `unknown`: a verdict on nothing is no evidence. An op the model
 * cannot take (an unknown `f`, a malformed value) is named by its line. With
 * `--json` a file's error is also a JSON line (`{ file, error }`), so a batch
 * reader misses none. Writes HTML files when asked; never throws for bad input.
 */
export async function runCheck(files: string[], opts: CheckOptions, io: CheckIo): Promise<number> {
  const usage = (msg: string) => {
    io.err(`patternbench check: ${msg}`);
    return 3;
  };
  if (files.length === 0) return usage('no history files given');
  const known = [...Object.keys(models), LIST_APPEND].join(', ');
  if (opts.model === undefined) return usage(`--model is required; known models: ${known}`);
  if (opts.model !== LIST_APPEND && !Object.hasOwn(models, opts.model)) return usage(`unknown model "${opts.model}"; known models: ${known}`);
  let init: unknown;
  if (opts.init !== undefined) {
    try {
      init = JSON.parse(opts.init);
    } catch (err) {
      return usage(`--init must be JSON (${(err as Error).message}); e.g. --init 0 or --init '""'`);
    }
  }
  const positive = (flag: string, value: string | number | undefined, unit: string, zero = false): number | string | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    return Number.isFinite(n) && (n > 0 || (zero && n === 0)) ? n : `${flag} must be a ${zero ? 'non-negative' : 'positive'} number of ${unit}, got "${value}"`;
  };
  const timeout = positive('--timeout', opts.timeout, 'seconds');
  const explainTimeout = positive('--explain-timeout', opts.explainTimeout, 'seconds', true);
  const maxMemory = positive('--max-memory', opts.maxMemory, 'MB');
  for (const v of [timeout, explainTimeout, maxMemory]) if (typeof v === 'string') return usage(v);
  const timeoutMs = timeout === undefined ? undefined : (timeout as number) * 1000;
  const explainTimeoutMs = explainTimeout === undefined ? undefined : (explainTimeout as number) * 1000;
  const maxMemoryBytes = maxMemory === undefined ? undefined : (maxMemory as number) * 2 ** 20;
  if (opts.model === LIST_APPEND) return checkListAppendFiles(files, opts, timeoutMs, io, usage);
  if (opts.html !== undefined) {
    try {
      mkdirSync(opts.html, { recursive: true });
    } catch (err) {
      return usage(`--html ${opts.html}: ${(err as Error).message}`);
    }
  }

  let invalid = false;
  let bad = false;
  let unknown = false;
  const htmlNames = new Set<string>();
  for (const file of files) {
    let verdict: LinearVerdict;
    let history: Op[];
    try {
      history = readHistory(file);
      verdict = history.some((op) => op.process !== 'nemesis')
        ? checkLinearizable(history, { model: opts.model, init, timeoutMs, explainTimeoutMs, maxMemoryBytes })
        : nothingToCheck(opts.model);
    } catch (err) {
      bad = true;
      // HistoryError and readHistory's own errors already lead with the file.
      const msg = (err as Error).message;
      const line = err instanceof HistoryError || msg.startsWith(file) ? msg : (whereModelFails(file, opts.model, init) ?? `${file}: ${msg}`);
      io.err(line);
      if (opts.json) io.out(JSON.stringify({ file, error: line }));
      continue;
    }
    if (verdict.valid === false) invalid = true;
    if (verdict.valid === 'unknown') unknown = true;

    let htmlPath: string | undefined;
    if (opts.html !== undefined) {
      htmlPath = join(opts.html, uniqueName(file, htmlNames));
      try {
        writeFileSync(htmlPath, renderLinearizabilityHtml(history, verdict, { title: `${file} · ${verdict.model}` }));
      } catch (err) {
        bad = true;
        io.err(`${htmlPath}: ${(err as Error).message}`);
        htmlPath = undefined;
      }
    }

    if (opts.json) {
      const { valid, model, ops, verdictMs, elapsedMs, reason, counterexample, partial } = verdict;
      // Microseconds: a small check's verdict takes tens of them.
      const ms = (x: number) => Math.round(x * 1000) / 1000;
      io.out(
        JSON.stringify({
          file,
          valid,
          model,
          ops,
          verdictMs: ms(verdictMs ?? elapsedMs),
          elapsedMs: ms(elapsedMs),
          ...(reason ? { reason } : {}),
          ...(counterexample ? { counterexample } : {}),
          ...(partial ? { partial } : {}),
          ...(htmlPath ? { html: htmlPath } : {}),
        }),
      );
    } else {
      const word = verdict.valid === true ? 'valid' : verdict.valid === false ? 'INVALID' : 'unknown';
      io.out(`${file}: ${word} (${verdict.ops} ops, ${Math.round(verdict.elapsedMs)} ms)${verdict.reason ? `: ${verdict.reason}` : ''}`);
      for (const line of describeCounterexample(verdict)) io.out(`  ${line}`);
      if (htmlPath) io.out(`  html: ${htmlPath}`);
    }
  }
  return invalid ? 1 : bad ? 3 : unknown ? 2 : 0;
}

/** `patternbench check FILE... --model NAME`: commander's face of {@link runCheck}; sets `process.exitCode`. */
export function checkCommand(): Command {
  return new Command('check')
    .description(
      'check history files (.jsonl or Jepsen .edn) for linearizability, or transactional isolation with --model list-append; exit 0 valid, 1 invalid, 2 unknown, 3 bad input',
    )
    .argument('<files...>', 'history files')
    .option('--model <name>', `model: ${[...Object.keys(models), LIST_APPEND].join(', ')}`)
    .option('--init <json>', "the model's initial value, as JSON (e.g. 0, '\"\"')")
    .option('--timeout <seconds>', 'budget for the verdict per file, seconds (default 60)')
    .option(
      '--explain-timeout <seconds>',
      `budget for the counterexample once a file is invalid, seconds (default ${DEFAULT_EXPLAIN_TIMEOUT_MS / 1000}); past it the counterexample is partial`,
    )
    .option(
      '--max-memory <MB>',
      `bound on the process's resident memory while a file is checked, MB (default ${DEFAULT_MAX_MEMORY_BYTES / 2 ** 20}); past it the check is unknown`,
    )
    .option('--json', 'one JSON object a line per file')
    .option('--html <dir>', 'write <file-basename>.html for each file into this folder')
    .option(
      '--consistency-models <list>',
      `list-append: models the history must satisfy, comma-separated, of ${CONSISTENCY_MODELS.join(', ')} (default strict-serializable)`,
    )
    .exitOverride()
    .action(async (files: string[], opts: CheckOptions) => {
      process.exitCode = await runCheck(files, opts, { out: (l) => console.log(l), err: (l) => console.error(l) });
    });
}

/** The verdict on a history with no client operation: unknown, and why. */
function nothingToCheck(model: string): LinearVerdict {
  return { valid: 'unknown', model, ops: 0, partitions: 0, elapsedMs: 0, reason: 'no client operations in the history: a verdict on nothing is no evidence' };
}

/**
 * After the checker threw on a history that read well: the first client
 * operation the model cannot take from its initial state (an unknown `f`,
 * a malformed cas value), as `file:line: error`, the line where its invoke
 * is; undefined when no single op explains the error. Reads the file again:
 * this is the error path only.
 */
function whereModelFails(file: string, model: string, init: unknown): string | undefined {
  try {
    const history = readHistory(file);
    const lines = readHistoryLines(file);
    const m = models[model as keyof typeof models];
    const state = m.init(init);
    const invokes = new Map<unknown, number>();
    for (const [i, op] of history.entries()) {
      if (op.process === 'nemesis') continue;
      if (op.type === 'invoke') {
        invokes.set(op.process, i);
        continue;
      }
      const at = invokes.get(op.process)!;
      if (op.type === 'fail') continue;
      const invoke = history[at];
      const modelOp = {
        f: invoke.f,
        input: invoke.value,
        output: op.type === 'ok' ? op.value : undefined,
        ...(invoke.key === undefined ? {} : { key: invoke.key }),
      };
      try {
        m.partition?.(modelOp);
        m.step(state, modelOp);
      } catch (err) {
        return `${file}:${lines[at]}: ${(err as Error).message}`;
      }
    }
  } catch {
    // the history read well a moment ago; if not now, say what the checker said
  }
  return undefined;
}

/** How many linearized ops lead up to the failure in the text output; the HTML page shows them all. */
const PREFIX_TAIL = 3;
const UNPLACED_MAX = 5;
/** How many keys a partial counterexample's line names before it counts the rest. */
const KEYS_MAX = 10;

function describeCounterexample(verdict: LinearVerdict): string[] {
  const lines: string[] = [];
  for (const cx of verdict.counterexample ?? []) {
    const where = cx.partition === null ? '' : `key ${cx.partition}: `;
    lines.push(`${where}after ${cx.prefix.length} linearized ops the state is ${cx.state}, and none of these can go next:`);
    for (const iv of cx.unplaced.slice(0, UNPLACED_MAX)) lines.push(`  ✗ ${describe(iv)}`);
    if (cx.unplaced.length > UNPLACED_MAX) lines.push(`  … and ${cx.unplaced.length - UNPLACED_MAX} more`);
    const tail = cx.prefix.slice(-PREFIX_TAIL);
    if (tail.length) lines.push(`  last linearized: ${tail.map(describe).join('; ')}`);
  }
  const { partial } = verdict;
  if (partial) {
    const keys = (ps: Array<string | null>) =>
      ps.length > KEYS_MAX ? `${ps.slice(0, KEYS_MAX).join(', ')} … and ${ps.length - KEYS_MAX} more` : ps.join(', ');
    lines.push(`partial counterexample (${partial.reason}): it covers ${keys(partial.covers)}; not searched to the end: ${keys(partial.unsearched)}`);
  }
  return lines;
}

function describe(iv: OpInterval): string {
  const show = (v: unknown) => (v === null || v === undefined ? 'nil' : typeof v === 'string' ? v : JSON.stringify(v));
  const out = iv.type === 'ok' ? show(iv.output) : '? (info)';
  return `p${iv.process} ${iv.f} ${show(iv.input)} → ${out} [ops ${iv.invokeIndex}–${iv.completeIndex ?? '…'}]`;
}

/** `<file-basename>.html`, numbered when two files share a basename (every run folder holds a `history.jsonl`). */
function uniqueName(file: string, taken: Set<string>): string {
  const stem = basename(file, extname(file));
  let name = `${stem}.html`;
  for (let n = 2; taken.has(name); n++) name = `${stem}-${n}.html`;
  taken.add(name);
  return name;
}

/** Elle-style transactional checking: not a linearizability model, so it has its own loop and output. */
const LIST_APPEND = 'list-append';

/** {@link runCheck} for `--model list-append`: same exit codes, same one line a file (or one JSON object), the anomalies explained beneath. */
function checkListAppendFiles(files: string[], opts: CheckOptions, timeoutMs: number | undefined, io: CheckIo, usage: (msg: string) => number): number {
  if (opts.init !== undefined || opts.html !== undefined) return usage('--init and --html do not apply to --model list-append');
  const consistencyModels = (opts.consistencyModels ?? 'strict-serializable').split(',').map((m) => m.trim()) as ListAppendVerdict['consistencyModels'];
  const unknownModel = consistencyModels.find((m) => !CONSISTENCY_MODELS.includes(m));
  if (unknownModel !== undefined) return usage(`unknown consistency model "${unknownModel}"; known: ${CONSISTENCY_MODELS.join(', ')}`);
  let invalid = false;
  let bad = false;
  let unknown = false;
  for (const file of files) {
    let verdict: ListAppendVerdict;
    try {
      verdict = checkListAppend(readHistory(file), { consistencyModels, timeoutMs });
    } catch (err) {
      bad = true;
      const msg = (err as Error).message;
      io.err(err instanceof HistoryError || msg.startsWith(file) ? msg : `${file}: ${msg}`);
      continue;
    }
    if (verdict.valid === false) invalid = true;
    if (verdict.valid === 'unknown') unknown = true;
    const txns = verdict.txns.ok + verdict.txns.info + verdict.txns.fail;
    if (opts.json) {
      const { valid, txns: byType, anomalyTypes, anomalyCounts, ruledOut, undecided, reason, anomalies, elapsedMs } = verdict;
      io.out(
        JSON.stringify({
          file,
          valid,
          model: LIST_APPEND,
          consistencyModels,
          txns: byType,
          elapsedMs: Math.round(elapsedMs * 100) / 100,
          anomalyTypes,
          anomalyCounts,
          ruledOut,
          undecided,
          ...(reason ? { reason } : {}),
          anomalies,
        }),
      );
    } else {
      const word = verdict.valid === true ? 'valid' : verdict.valid === false ? 'INVALID' : 'unknown';
      io.out(`${file}: ${word} (${txns} txns, ${Math.round(verdict.elapsedMs)} ms)${verdict.reason ? `: ${verdict.reason}` : ''}`);
      for (const line of describeListAppend(verdict)) io.out(`  ${line}`);
    }
  }
  return invalid ? 1 : bad ? 3 : unknown ? 2 : 0;
}
