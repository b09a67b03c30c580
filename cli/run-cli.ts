import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { repoRoot } from '../runtime/local/tools.ts';

/** The launcher users run: `bin/patternbench`. */
export const patternbenchBin = join(repoRoot, 'bin', 'patternbench');

/** Test support: runs `bin/patternbench args` to its end; resolves with its exit code and stdout+stderr, never throws for a non-zero exit. */
export async function runPatternbench(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(patternbenchBin, args, { cwd: repoRoot });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}
