/**
 * How bin/patternbench starts `check` and `--help`: the compiled bundle
 * (scripts/build-cli.mjs), never a stale one. Plain JavaScript, so that
 * Node runs it without tsx.
 *
 * Before it runs the bundle it compares the bundle's build time with every
 * file the bundle was built from (about 60 `stat`s, well under a
 * millisecond). When a source is newer, missing, or the repository has
 * moved, it rebuilds first (esbuild, about 0.1 s) and runs the new bundle:
 * measured against falling back to tsx for that run (about 0.4 s of
 * start-up, and again at every later run until someone rebuilds), a
 * rebuild costs less even once, and the runs after it start fast. Only
 * when the rebuild fails (say the checkout is read-only, or a source does
 * not parse) does it run the sources through tsx, which reports a broken
 * source the way the other commands do.
 */
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildCli, bundlePath, isFresh } from '../scripts/build-cli.mjs';

if (!isFresh()) {
  try {
    await buildCli();
  } catch (err) {
    console.error(`patternbench: could not rebuild the compiled command (${String(err?.message ?? err).split('\n')[0]}); running the sources through tsx`);
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
    const loader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, [...process.execArgv, '--import', loader, join(root, 'cli', 'main.ts'), ...process.argv.slice(2)], {
      stdio: 'inherit',
    });
    process.exit(r.status ?? 1);
  }
}
await import(pathToFileURL(bundlePath).href);
