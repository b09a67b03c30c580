import type { Op, OpType } from './op.ts';

/** A history that cannot be read as written: `file:line: what was expected`. Thrown by every reader; never repaired silently. */
export class HistoryError extends Error {
  constructor(
    readonly file: string,
    /** 1-based line where the offending op starts. */
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'HistoryError';
  }
}

/** One decoded op record and the line it starts on, before validation. */
export interface RawOp {
  fields: Record<string, unknown>;
  line: number;
}

const TYPES: readonly OpType[] = ['invoke', 'ok', 'fail', 'info'];

/**
 * How deep a value in a history may nest. An op is a flat record of small
 * values; anything far deeper is refused with its line, where it would
 * otherwise overflow the stack of whatever walks it next (a message, a
 * checker's hash) with no line at all.
 */
export const maxNesting = 1_000;

/**
 * Parses our `history.jsonl` (one JSON op a line; blank lines skipped) into
 * validated ops. Pure; throws `HistoryError` naming `file` and the line.
 */
export function parseJsonl(text: string, file: string): Op[] {
  const raws: RawOp[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const src = lines[i].trim();
    if (src === '') continue;
    // Only a long line can nest that deep: short ones are not scanned twice.
    if (src.length > 2 * maxNesting && nestingDepth(src) > maxNesting)
      throw new HistoryError(file, i + 1, `a value nested more than ${maxNesting} deep; expected one flat op object a line`);
    let fields: unknown;
    try {
      fields = JSON.parse(src);
    } catch (err) {
      throw new HistoryError(file, i + 1, `malformed JSON (${(err as Error).message}); expected one op object a line`);
    }
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
      throw new HistoryError(file, i + 1, `expected an op object {"process":…,"type":…,"f":…}, got ${describe(fields)}`);
    }
    raws.push({ fields: fields as Record<string, unknown>, line: i + 1 });
  }
  return validateOps(raws, file);
}

/** The deepest nesting of `[` and `{` in JSON text, strings skipped. Pure. */
function nestingDepth(json: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      for (i++; i < json.length && json[i] !== '"'; i++) if (json[i] === '\\') i++;
    } else if (c === '[' || c === '{') max = Math.max(max, ++depth);
    else if (c === ']' || c === '}') depth--;
  }
  return max;
}

/**
 * Turns decoded records into ops and checks the pairing rules every checker
 * relies on. Pure; throws `HistoryError` at the first bad op.
 *
 * Defaults, all documented rather than guessed: a missing `index` is the
 * op's position; a missing `time` repeats the previous op's (0 at the start)
 * so time stays monotonic; a missing `value` is `null` (JSON drops
 * `undefined`, and Jepsen writes reads as `:value nil`). Nemesis ops are
 * fault events and exempt from pairing.
 */
export function validateOps(raws: readonly RawOp[], file: string): Op[] {
  const ops: Op[] = [];
  // Per client process: the line of its open invoke and that invoke's f, or
  // the line where it ended `info` (after which it may never invoke again).
  const open = new Map<number, { line: number; f: string }>();
  const crashed = new Map<number, number>();
  let lastTime = 0;
  let lastIndex = -1;
  for (let pos = 0; pos < raws.length; pos++) {
    const { fields, line } = raws[pos];
    const fail = (detail: string): never => {
      throw new HistoryError(file, line, detail);
    };
    const { type, process, f } = fields;
    if (!TYPES.includes(type as OpType)) fail(`"type" must be one of invoke|ok|fail|info, got ${describe(type)}`);
    if (!(process === 'nemesis' || (Number.isSafeInteger(process) && (process as number) >= 0))) {
      fail(`"process" must be a non-negative integer or "nemesis", got ${describe(process)}`);
    }
    if (typeof f !== 'string') fail(`"f" must be a string, got ${describe(f)}`);
    if ('key' in fields && typeof fields.key !== 'string') fail(`"key" must be a string when present, got ${describe(fields.key)}`);
    let index = pos;
    if (fields.index !== undefined) {
      if (!Number.isSafeInteger(fields.index) || (fields.index as number) <= lastIndex) {
        fail(`"index" must be an integer greater than the previous op's (${lastIndex}), got ${describe(fields.index)}`);
      }
      index = fields.index as number;
    }
    lastIndex = index;
    if (fields.time !== undefined) {
      if (typeof fields.time !== 'number' || !Number.isFinite(fields.time) || fields.time < 0) {
        fail(`"time" must be non-negative nanoseconds, got ${describe(fields.time)}`);
      }
      lastTime = fields.time as number;
    }
    // Copied, then index, time and value set, rather than spread into a literal with them: V8 gives each op
    // spread so a hidden class of its own when the literal adds a key (a history without index or time), and
    // every later read of an op's fields (the checkers' per-op loops) is then megamorphic. A `__proto__` key
    // (JSON may hold one) is kept as a plain field by the spread, where an assignment would set the prototype.
    const op = (Object.hasOwn(fields, '__proto__') ? { ...fields } : Object.assign({}, fields)) as Op;
    op.index = index;
    op.time = lastTime;
    op.value = fields.value ?? null;

    if (process !== 'nemesis') {
      const p = process as number;
      const pending = open.get(p);
      if (type === 'invoke') {
        if (pending) fail(`process ${p} invokes "${f}" while its invoke at line ${pending.line} is still open`);
        const crashLine = crashed.get(p);
        if (crashLine !== undefined)
          fail(`process ${p} invokes "${f}" after its op ended "info" at line ${crashLine}; a process that ended info never invokes again`);
        open.set(p, { line, f: f as string });
      } else {
        if (!pending) fail(`completion "${type}" for process ${p} has no open invoke`);
        if (pending!.f !== f) fail(`completion "${type}" for process ${p} has f "${f}" but its invoke at line ${pending!.line} has f "${pending!.f}"`);
        open.delete(p);
        if (type === 'info') crashed.set(p, line);
      }
    }
    ops.push(op);
  }
  return ops;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  if (typeof v === 'bigint') return `${v}`;
  let s: string;
  try {
    s = JSON.stringify(v);
  } catch {
    return 'a value too deeply nested to show';
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
