import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerRuntimeClient } from 'testcontainers';
import { repoRoot } from '../local/tools.ts';
import { serviceImage } from './images.ts';

/**
 * Builds `serviceImage` from `docker/service.Dockerfile` with the repository
 * as its context (less what `.dockerignore` names), as docker-compose does.
 * The engine's layer cache makes a build with unchanged dependencies and
 * source take a second or two. Throws with the build's own error (a failed
 * `npm ci`, a missing base image) rather than leaving an older image in
 * place unnoticed. The image it replaces is removed, unless in use.
 */
export async function buildServiceImage(client: ContainerRuntimeClient): Promise<void> {
  const docker = client.container.dockerode;
  const idOf = () =>
    docker
      .getImage(serviceImage)
      .inspect()
      .then(
        (i) => i.Id,
        () => undefined,
      );
  const before = await idOf();
  const stream = await docker.buildImage({ context: repoRoot, src: contextFiles(repoRoot) }, { t: serviceImage, dockerfile: 'docker/service.Dockerfile' });
  const output = await new Promise<{ error?: string; stream?: string }[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, out: { error?: string; stream?: string }[]) => (err ? reject(err) : resolve(out))),
  );
  const failed = output.find((o) => o.error);
  if (failed) {
    const tail = output.flatMap((o) => (o.stream ?? '').split('\n')).filter((l) => l.trim() !== '');
    throw new Error(`building ${serviceImage} failed: ${failed.error} (${tail.slice(-3).join(' | ')})`);
  }
  // The image it replaced, now untagged, unless a container still uses it: each change of the source would leave one.
  const after = await idOf();
  if (before && before !== after)
    await docker
      .getImage(before)
      .remove()
      .catch(() => undefined);
}

/**
 * The build context's files, relative to `root`: every file but those under
 * a top-level name a line of `.dockerignore` matches. Lines are names or
 * `*` patterns without a slash, which Docker too applies at the top level
 * only; a line of any other form throws, so that this never quietly sends
 * what docker-compose would leave out.
 */
export function contextFiles(root: string): string[] {
  const ignoreFile = join(root, '.dockerignore');
  const lines = existsSync(ignoreFile)
    ? readFileSync(ignoreFile, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : [];
  const patterns = lines.map((line) => {
    if (/[/!?[\]]/.test(line) || line.includes('**')) throw new Error(`.dockerignore: "${line}": only top-level names and * patterns are understood here`);
    return new RegExp(`^${line.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  });
  const files: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (!rel && patterns.some((p) => p.test(entry.name))) continue;
      if (entry.isDirectory()) walk(join(dir, entry.name), path);
      else if (entry.isFile() || entry.isSymbolicLink()) files.push(path);
    }
  };
  walk(root, '');
  return files;
}
