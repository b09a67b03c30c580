import { lstatSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** Every temp data dir the local runtime makes is named `patternbench-<component>-XXXXXX`, directly in the temp dir. */
const prefix = 'patternbench-';

/** The file inside each such dir that says the runtime made it. */
const marker = '.patternbench-data-dir';

/**
 * Makes a temp data dir for `component` (`/tmp/patternbench-redis-XXXXXX`)
 * with a marker file inside, so that {@link isOwnDataDir} can tell it from
 * any folder a forged or stale `data-dirs.json` might name. Throws the fs
 * error.
 */
export function makeDataDir(component: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}${component}-`));
  writeFileSync(join(dir, marker), `made by patternbench for ${component}\n`, { mode: 0o600 });
  return dir;
}

/**
 * Whether `dir` is a data dir {@link makeDataDir} made, judged by the file
 * system alone (the path may come from a forged file): a real directory,
 * no symlink on the way, directly in the temp dir, named with the
 * runtime's prefix, holding the marker file, a regular file owned by us.
 */
export function isOwnDataDir(dir: string): boolean {
  try {
    if (realpathSync(dir) !== dir || !lstatSync(dir).isDirectory()) return false;
    if (dirname(dir) !== realpathSync(tmpdir()) || !basename(dir).startsWith(prefix)) return false;
    const mark = lstatSync(join(dir, marker));
    return mark.isFile() && mark.uid === process.getuid?.();
  } catch {
    return false;
  }
}
