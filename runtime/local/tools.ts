import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root (two folders above this file). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Binaries built by scripts/install.sh into the git-ignored .tools/bin. */
const built = { k6: 'k6', 'toxiproxy-server': 'toxiproxy-server', 'toxiproxy-cli': 'toxiproxy-cli' } as const;

/**
 * Path of a pinned tool built by `npm run setup`; throws a one-line hint when
 * it has not been built yet.
 */
export function toolPath(name: keyof typeof built): string {
  const path = join(repoRoot, '.tools', 'bin', built[name]);
  if (!existsSync(path)) throw new Error(`${name} not found at ${path}: run \`npm run setup\` (scripts/install.sh) first`);
  return path;
}

/** PostgreSQL 15's server binaries, from the Debian package. */
export const pgBin = (name: 'postgres' | 'initdb' | 'pg_ctl' | 'pg_basebackup' | 'psql') => `/usr/lib/postgresql/15/bin/${name}`;
