import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { searchCore } from './core.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the search core', () => {
  it('is the build of wasm/search.ts: the committed binary is not stale', () => {
    // The build command is package.json's, with the output sent elsewhere.
    const script = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['build:wasm'];
    const [command, ...args] = script.split(' ');
    const out = args.indexOf('-o') + 1;
    expect(command).toBe('asc');
    expect(out).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'patternbench-wasm-'));
    try {
      args[out] = join(dir, 'search.wasm');
      const r = spawnSync(join(root, 'node_modules/.bin/asc'), args, { cwd: root, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(Buffer.compare(readFileSync(args[out]), readFileSync(join(root, 'checkers/linearizability/wasm/search.wasm')))).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('imports nothing: it cannot reach the host', () => {
    const module = new WebAssembly.Module(readFileSync(join(root, 'checkers/linearizability/wasm/search.wasm')));
    expect(WebAssembly.Module.imports(module)).toEqual([]);
    expect(searchCore().memory).toBeInstanceOf(WebAssembly.Memory);
  });
});
