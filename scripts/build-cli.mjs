/**
 * Builds the command's compiled JavaScript, `.build/cli/main.mjs` (git-ignored),
 * so that `patternbench check` and `--help` start in Node's own start-up
 * time rather than Node's plus tsx's (which compiles every TypeScript file
 * at each start). Run by `npm run setup` (scripts/install.sh) and by
 * `npm run build:cli`; cli/compiled.mjs calls {@link buildCli} itself when
 * the sources are newer than the build.
 *
 * One ESM bundle of cli/main.ts and the project files it imports
 * statically, built with esbuild (the one tsx brings, so no dependency of
 * its own). What a command imports when it runs (`run`, `up`: the runtime,
 * the runner) is left out: those commands keep running through tsx, and
 * the bundle stays small. npm packages stay external, resolved from
 * node_modules at run time, but for commander, which every command loads
 * first: bundled, it is read as part of the one file rather than resolved,
 * read and scanned for its exports as a CommonJS package (about 5 ms of a
 * small check's start-up); its `require`s of Node's modules go through
 * the `require` the bundle's first lines make. `import.meta.url` in a bundled file is
 * replaced with that file's own URL, so the paths a file computes from it
 * (the search core's WebAssembly, the repository's root) are the ones they
 * are in the sources.
 *
 * The bundle's first line is a comment holding the repository's root, the
 * build's start time and every input file: cli/compiled.mjs compares them
 * with the files on disk before it runs the bundle.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the bundle goes. */
export const bundlePath = join(root, '.build', 'cli', 'main.mjs');
/** The first line's marker: `//@patternbench-build {json}`. */
export const STAMP = '//@patternbench-build ';

/**
 * Builds the bundle and writes it in one rename, so that a command starting
 * meanwhile reads the old bundle or the new, never half of one. Returns the
 * bundle's path. Throws what esbuild throws (a syntax error names its file).
 */
export async function buildCli() {
  const builtAtMs = Date.now();
  const esbuild = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'))('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(root, 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
    write: false,
    metafile: true,
    outfile: bundlePath,
    logLevel: 'error',
    plugins: [ownUrls, lazyImportsLeftOut, packagesExternalButCommander],
  });
  const inputs = [...Object.keys(result.metafile.inputs).map((f) => resolve(root, f)), fileURLToPath(import.meta.url)];
  const stamp = `${STAMP}${JSON.stringify({ root, builtAtMs, inputs })}\n`;
  mkdirSync(dirname(bundlePath), { recursive: true });
  const temp = `${bundlePath}.${process.pid}.tmp`;
  writeFileSync(temp, stamp + result.outputFiles[0].text);
  renameSync(temp, bundlePath);
  return bundlePath;
}

/**
 * Whether the bundle at `path` was built in `where` after every file it was
 * built from last changed (its first line read, and about 60 `stat`s: well
 * under a millisecond); false when it is missing, unstamped, built
 * elsewhere, or an input is missing or newer.
 */
export function isFresh(path = bundlePath, where = root) {
  let first;
  try {
    first = firstLine(path);
  } catch {
    return false;
  }
  if (first === undefined || !first.startsWith(STAMP)) return false;
  const { root: builtIn, builtAtMs, inputs } = JSON.parse(first.slice(STAMP.length));
  if (builtIn !== where) return false;
  for (const file of inputs) {
    try {
      if (statSync(file).mtimeMs > builtAtMs) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** The file's first line (without its newline), read alone: the bundle is a few hundred KB; undefined when it has no newline. */
function firstLine(path) {
  const fd = openSync(path, 'r');
  try {
    let buffer = Buffer.alloc(1 << 16);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, length);
      const newline = buffer.subarray(length, length + n).indexOf(10);
      if (newline >= 0) return buffer.toString('utf8', 0, length + newline);
      length += n;
      if (n === 0) return undefined;
      if (length === buffer.length) buffer = Buffer.concat([buffer, Buffer.alloc(buffer.length)]);
    }
  } finally {
    closeSync(fd);
  }
}

/** Replaces `import.meta.url` in each source with the source's own URL. */
const ownUrls = {
  name: 'own-urls',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href)),
      loader: 'ts',
    }));
  },
};

/** Leaves out what is imported with `import()`: the heavy modules of the commands that stay on tsx. */
const lazyImportsLeftOut = {
  name: 'lazy-imports-left-out',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => (args.kind === 'dynamic-import' ? { path: resolve(args.resolveDir, args.path), external: true } : undefined));
  },
};

/** Leaves every npm package out of the bundle (resolved from node_modules at run time) but commander. */
const packagesExternalButCommander = {
  name: 'packages-external-but-commander',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path === 'commander' || args.importer.includes('/node_modules/commander/') ? undefined : { path: args.path, external: true },
    );
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = await buildCli();
  console.log(`built ${path}`);
}
