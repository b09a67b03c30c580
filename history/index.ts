import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Op } from './op.ts';
import { parseJsonl } from './parse.ts';
import { ednOpLines, parseEdn } from './edn.ts';

export type { Op, OpInput, OpType, ProcessId } from './op.ts';
export { HistoryWriter } from './writer.ts';
export { HistoryError, parseJsonl } from './parse.ts';
export { parseEdn, writeEdn } from './edn.ts';

/**
 * Reads a history file by its extension: `.jsonl` (ours) or `.edn` (Jepsen's).
 * Throws `HistoryError` (`file:line: …`) for bad content, the fs error for an
 * unreadable file, and an Error for any other extension.
 */
export function readHistory(path: string): Op[] {
  const ext = extname(path).toLowerCase();
  if (ext !== '.jsonl' && ext !== '.edn') throw new Error(`${path}: unknown history format "${ext}"; expected .jsonl or .edn`);
  const text = readFileSync(path, 'utf8');
  return ext === '.jsonl' ? parseJsonl(text, path) : parseEdn(text, path);
}

/**
 * The line each op of `readHistory(path)` starts on, in order: for naming
 * an op in an error found after reading (a model that cannot take it). It
 * reads the file again, so that reading a history costs nothing for it.
 * Throws as `readHistory` does.
 */
export function readHistoryLines(path: string): number[] {
  const text = readFileSync(path, 'utf8');
  if (extname(path).toLowerCase() === '.edn') return ednOpLines(text, path);
  return text.split('\n').flatMap((line, i) => (line.trim() === '' ? [] : [i + 1]));
}
