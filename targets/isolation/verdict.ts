import { checkListAppend, type ListAppendVerdict } from '../../checkers/list-append/index.ts';
import type { Op } from '../../history/op.ts';
import type { CaseFiles } from '../family.ts';
import { isolationLevels, type LevelName, levelNames } from './patterns.ts';

/** The level a case ran at, from its options; throws naming the field when it is not one. */
export function levelOf(files: Pick<CaseFiles, 'options'>): LevelName {
  const level = files.options.level;
  if (typeof level !== 'string' || !Object.hasOwn(isolationLevels, level)) {
    throw new Error(`options.level is ${JSON.stringify(level)}; expected one of ${levelNames.join(', ')}`);
  }
  return level as LevelName;
}

// The checks and the figures of one case all read one verdict; the runner
// hands them the same history array, so it is computed once a case.
const cache = new WeakMap<readonly Op[], Map<LevelName, ListAppendVerdict>>();

/**
 * The list-append checker's verdict on a case's history, held to the model
 * its level promises (no real-time or process edges: none of the three
 * promises real-time order). Pure; memoised per history array.
 */
export function levelVerdict(files: Pick<CaseFiles, 'history' | 'options'>): { level: LevelName; verdict: ListAppendVerdict } {
  const level = levelOf(files);
  let byLevel = cache.get(files.history);
  if (!byLevel) cache.set(files.history, (byLevel = new Map()));
  let verdict = byLevel.get(level);
  if (!verdict) {
    verdict = checkListAppend(files.history, { consistencyModels: [isolationLevels[level].promises] });
    byLevel.set(level, verdict);
  }
  return { level, verdict };
}
