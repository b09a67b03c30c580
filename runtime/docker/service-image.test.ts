import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../local/tools.ts';
import { contextFiles } from './service-image.ts';

const dir = mkdtempSync(join(tmpdir(), 'patternbench-context-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const touch = (path: string) => {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), '');
};

describe('contextFiles', () => {
  it('leaves out top-level names .dockerignore matches, as Docker does, and nothing deeper', () => {
    for (const f of ['a.ts', 'run.log', 'node_modules/x/index.js', 'targets/node_modules/y.js', 'targets/deep.log', '.dockerignore']) touch(f);
    writeFileSync(join(dir, '.dockerignore'), '# comment\nnode_modules\n*.log\n');
    expect(contextFiles(dir).sort()).toEqual(['.dockerignore', 'a.ts', 'targets/deep.log', 'targets/node_modules/y.js']);
  });

  it('refuses a .dockerignore line it does not understand, rather than send what docker-compose would leave out', () => {
    writeFileSync(join(dir, '.dockerignore'), 'src/**/*.tmp\n');
    expect(() => contextFiles(dir)).toThrow('.dockerignore: "src/**/*.tmp": only top-level names and * patterns are understood here');
  });

  it('sends the repository without its dependencies, tools, runs or git', () => {
    const files = contextFiles(repoRoot);
    expect(files).toContain('docker/service.Dockerfile');
    expect(files).toContain('targets/caching/server.ts');
    expect(files.filter((f) => /^(node_modules|\.tools|runs|\.git|\.patternbench)(\/|$)/.test(f))).toEqual([]);
  });
});
