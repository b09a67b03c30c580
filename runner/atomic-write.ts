import { writeFileSync, renameSync } from 'node:fs';

/**
 * Writes a file so that a reader (or a run killed midway) sees either the old
 * content or the new, never half: write a sibling temp file, then rename over.
 */
export function writeFileAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** `writeFileAtomic` of pretty JSON with a trailing newline. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
