import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHistory } from '../history/index.ts';
import type { Op } from '../history/op.ts';
import { runSuite } from './run-suite.ts';
import type { CaseResult } from './run-case.ts';
import { parseSuite } from './suite.ts';

/** A finished case as the tests read it: its result (checks, figures) and its history. */
export interface RunCase {
  result: CaseResult;
  history: Op[];
  /** A check's verdict, as results.json holds it. */
  check(name: string): Record<string, unknown> & { valid: unknown };
  // biome-ignore lint/suspicious/noExplicitAny: the tests read figures by their documented keys (FIGURES.md)
  figures: Record<string, any>;
}

/**
 * Test support: runs `suite` (a plain object, as a suite file would hold it)
 * through the runner, real components and all, into a temp run folder, and
 * returns each case by name.
 */
export async function runInline(suite: Record<string, unknown>): Promise<Record<string, RunCase>> {
  const outDir = join(mkdtempSync(join(tmpdir(), 'pb-inline-')), 'run');
  const { runDir, results } = await runSuite({ suite: parseSuite(suite, 'inline suite'), suiteFile: 'inline suite', outDir });
  return Object.fromEntries(
    results.cases.map((result) => [
      result.name,
      {
        result,
        history: readHistory(join(runDir, result.dir, 'history.jsonl')),
        check: (name: string) => result.checks!.results[name] as Record<string, unknown> & { valid: unknown },
        // biome-ignore lint/suspicious/noExplicitAny: as above
        figures: result.figures as Record<string, any>,
      },
    ]),
  );
}
