import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { repoRoot, toolPath } from '../local/tools.ts';
import { baseImage, images } from './images.ts';

const run = promisify(execFile);
const recipeLabel = 'org.patternbench.recipe';

/** What `ensureImages` did for one image. */
export interface ImageOutcome {
  image: string;
  how: 'present' | 'pulled' | 'built';
  seconds: number;
}

/** One image a local build can make: its Dockerfile (docker/images/<file>) and the files its context holds. */
interface Recipe {
  image: string;
  dockerfile: string;
  /** Files copied into the build context: name in the context → path on this machine. */
  files: () => Record<string, string>;
  /** What else decides the result (a version), hashed into the recipe. */
  facts?: () => string;
}

const recipes: Recipe[] = [
  { image: images.redis, dockerfile: 'redis.Dockerfile', files: () => ({}) },
  { image: images.postgres, dockerfile: 'postgres.Dockerfile', files: () => ({}) },
  { image: images.etcd, dockerfile: 'etcd.Dockerfile', files: () => ({}) },
  {
    image: images.toxiproxy,
    dockerfile: 'toxiproxy.Dockerfile',
    files: () => ({ 'toxiproxy-server': toolPath('toxiproxy-server'), 'toxiproxy-cli': toolPath('toxiproxy-cli') }),
  },
  {
    image: images.node,
    dockerfile: 'node.Dockerfile',
    // The Node that runs this (Node 20), its npm, and the CA bundle this machine trusts.
    files: () => ({ node: process.execPath, npm: join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm'), 'ca-certificates.crt': caBundle() }),
    facts: () => `${process.version} npm ${readJson(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'package.json')).version}`,
  },
];

/**
 * Makes every image in `images` present on the Docker engine, skipping what
 * is there: an image already present is kept (an official one pulled
 * earlier, or ours built from the same recipe); a missing one is pulled;
 * one that cannot be pulled (no registry) is built locally from
 * `docker/images/<kind>.Dockerfile` on the Debian base, which is
 * debootstrapped first when missing (that needs root and `debootstrap`).
 * A local build is labelled with a hash of its recipe (Dockerfile, context
 * files, versions), so a changed recipe is built again. Throws naming the
 * image and the docker command that failed; `log` hears one line a step.
 */
export async function ensureImages(log: (line: string) => void = () => undefined): Promise<ImageOutcome[]> {
  // First what is present or can be pulled, one image at a time; then the local builds, all at once (each mostly
  // waits on the mirror), after the base they all start from.
  const outcomes: ImageOutcome[] = [];
  const toBuild: { recipe: Recipe; hash: string }[] = [];
  const record = (image: string, how: ImageOutcome['how'], started: number) => {
    const outcome = { image, how, seconds: Math.round((Date.now() - started) / 100) / 10 };
    log(`images: ${image} ${how}${how === 'present' ? '' : ` in ${outcome.seconds} s`}`);
    outcomes.push(outcome);
  };
  for (const recipe of recipes) {
    const started = Date.now();
    const hash = recipeHash(recipe);
    const label = await imageLabel(recipe.image);
    // Present and not ours (an official image), or ours from this very recipe: keep it.
    if (label === '' || label === hash) record(recipe.image, 'present', started);
    else if (label === undefined && (await pulled(recipe.image))) record(recipe.image, 'pulled', started);
    else toBuild.push({ recipe, hash });
  }
  if (toBuild.length === 0) return outcomes;
  if ((await imageLabel(baseImage)) === undefined) {
    const started = Date.now();
    log(`images: no registry has ${toBuild.map((b) => b.recipe.image).join(', ')}: building them on ${baseImage}, first debootstrapped`);
    await buildBase();
    record(baseImage, 'built', started);
  }
  const started = Date.now();
  const built = await Promise.allSettled(
    toBuild.map(async ({ recipe, hash }) => {
      log(`images: building ${recipe.image} from docker/images/${recipe.dockerfile}`);
      await buildLocally(recipe, hash);
      record(recipe.image, 'built', started);
    }),
  );
  const failed = built.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return outcomes;
}

/** The recipe label of `image`: undefined when the engine has no such image, '' when it has one we did not build. */
async function imageLabel(image: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('docker', ['image', 'inspect', '--format', `{{ index .Config.Labels "${recipeLabel}" }}`, image]);
    return stdout.trim().replace(/^<no value>$/, '');
  } catch {
    return undefined;
  }
}

async function pulled(image: string): Promise<boolean> {
  try {
    await run('docker', ['pull', '--quiet', image], { timeout: 300_000 });
    return true;
  } catch {
    return false;
  }
}

function recipeHash(recipe: Recipe): string {
  const hash = createHash('sha256').update(readFileSync(join(repoRoot, 'docker', 'images', recipe.dockerfile)));
  for (const [name, path] of Object.entries(recipe.files()).sort()) hash.update(name).update(fileDigest(path));
  hash.update(recipe.facts?.() ?? '');
  return hash.digest('hex').slice(0, 16);
}

/** A file's contents' hash; a folder's is its listing's (npm's folder changes with its version, which `facts` hashes). */
function fileDigest(path: string): string {
  if (!existsSync(path)) throw new Error(`images: ${path} is missing`);
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return readdirSync(path).join(',');
  }
}

async function buildLocally(recipe: Recipe, hash: string): Promise<void> {
  const context = mkdtempSync(join(tmpdir(), 'patternbench-image-'));
  try {
    for (const [name, path] of Object.entries(recipe.files())) cpSync(path, join(context, name), { recursive: true, dereference: true });
    copyFileSync(join(repoRoot, 'docker', 'images', recipe.dockerfile), join(context, 'Dockerfile'));
    await docker(['build', '--quiet', '--label', `${recipeLabel}=${hash}`, '--tag', recipe.image, context], `build ${recipe.image}`);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/**
 * The Debian 12 base: `debootstrap --variant=minbase bookworm` from the
 * Debian mirror this machine's apt uses, with that apt's bookworm sources,
 * imported as `baseImage` with a PATH (an imported image has none, and
 * Dockerfiles append to it).
 */
async function buildBase(): Promise<void> {
  const sources = aptSources();
  const root = mkdtempSync(join(tmpdir(), 'patternbench-rootfs-'));
  try {
    await docker(['--version'], 'docker --version'); // before a minute of debootstrap, that the CLI is there
    await command('debootstrap', ['--variant=minbase', 'bookworm', root, sources.mirror], 'debootstrap');
    await command(
      'sh',
      [
        '-c',
        `printf '%s\\n' "$1" > "$2/etc/apt/sources.list" && rm -rf "$2"/var/lib/apt/lists/* "$2"/var/cache/apt/archives/*.deb`,
        'sh',
        sources.lines.join('\n'),
        root,
      ],
      'sources.list',
    );
    const changes = ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'CMD ["bash"]'].flatMap((c) => ['--change', c]);
    await command(
      'sh',
      ['-c', `tar -C "$1" -c . | docker import ${changes.map((c) => `'${c}'`).join(' ')} - "$2" >/dev/null`, 'sh', root, baseImage],
      `docker import ${baseImage}`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The bookworm entries of this machine's apt sources (one-line `.list` and
 * deb822 `.sources` files), as `deb URI suite components` lines, and the
 * mirror of plain `bookworm` for debootstrap. Falls back to deb.debian.org.
 */
export function aptSources(dir = '/etc/apt'): { mirror: string; lines: string[] } {
  const files = [
    join(dir, 'sources.list'),
    ...(existsSync(join(dir, 'sources.list.d')) ? readdirSync(join(dir, 'sources.list.d')).map((f) => join(dir, 'sources.list.d', f)) : []),
  ];
  const entries: { uri: string; suite: string; components: string }[] = [];
  for (const file of files.filter((f) => existsSync(f))) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1].trim() ?? '';
        if (!/^deb$/m.test(field('Types').replace(/\s+/g, '\n'))) continue;
        for (const uri of field('URIs').split(/\s+/).filter(Boolean))
          for (const suite of field('Suites').split(/\s+/).filter(Boolean)) entries.push({ uri, suite, components: field('Components') });
      }
    } else if (file.endsWith('.list')) {
      for (const m of text.matchAll(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.+)$/gm)) entries.push({ uri: m[1], suite: m[2], components: m[3].trim() });
    }
  }
  const bookworm = entries.filter((e) => /^bookworm(-|$)/.test(e.suite));
  const mirror = bookworm.find((e) => e.suite === 'bookworm')?.uri ?? 'http://deb.debian.org/debian';
  const lines = bookworm.length > 0 ? bookworm.map((e) => `deb ${e.uri} ${e.suite} ${e.components || 'main'}`) : [`deb ${mirror} bookworm main`];
  return { mirror, lines };
}

function docker(args: string[], what: string): Promise<void> {
  return command('docker', args, what);
}

/** Runs a command, its output kept for the error only; throws `images: <what> failed (exit N): <last lines>`. */
function command(cmd: string, args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => reject(new Error(`images: ${what}: ${err.message}`)));
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`images: ${what} failed (exit ${code}): ${output.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

function caBundle(): string {
  const candidates = [process.env.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt'].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`images: no CA bundle for the node image (looked at ${candidates.join(', ')})`);
  return found;
}

function readJson(path: string): { version?: string } {
  return JSON.parse(readFileSync(path, 'utf8')) as { version?: string };
}

// `npm run images`: one line a step.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  ensureImages((line) => console.log(line)).catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
