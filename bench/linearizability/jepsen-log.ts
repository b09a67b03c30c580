import type { Op } from '../../history/op.ts';
import { HistoryError, type RawOp, validateOps } from '../../history/parse.ts';

/** `INFO  jepsen.util - 3	:invoke	:cas	[1 2]`: process, type, f, value; tabs or runs of spaces between them. */
const LINE = /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:([\w-]+)\s+(.+?)\s*$/;

/**
 * Parses a Jepsen run log's `jepsen.util` op lines, the form of the etcd
 * histories in Porcupine's `test_data/jepsen` (from Jepsen's etcd test), into
 * validated ops; other log lines are skipped. Values read as our EDN reader
 * reads them: `nil` is null, integers numbers, `[1 2]` an array, a keyword
 * (`:timed-out`) a string. File order is real-time order, so positions stand
 * for indices. Pure; throws `HistoryError` (`file:line`) for an op line it
 * cannot read or a history that breaks the pairing rules.
 */
export function parseJepsenLog(text: string, file: string): Op[] {
  const raws: RawOp[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].includes('jepsen.util')) continue;
    const m = LINE.exec(lines[i]);
    if (!m) throw new HistoryError(file, i + 1, `expected "INFO jepsen.util - <process> :<type> :<f> <value>", got ${lines[i].slice(0, 60)}`);
    raws.push({ fields: { process: Number(m[1]), type: m[2], f: m[3], value: value(m[4], file, i + 1) }, line: i + 1 });
  }
  return validateOps(raws, file);
}

function value(text: string, file: string, line: number): unknown {
  if (text === 'nil') return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  if (/^:[\w-]+$/.test(text)) return text.slice(1);
  const vector = /^\[(-?\d+(?:\s+-?\d+)*)?\]$/.exec(text);
  if (vector) return vector[1] === undefined ? [] : vector[1].split(/\s+/).map(Number);
  throw new HistoryError(file, line, `expected nil, an integer, a keyword or a vector of integers, got ${text.slice(0, 40)}`);
}
