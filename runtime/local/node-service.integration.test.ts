import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startNodeService } from './node-service.ts';
import { groupRunning } from './supervisor.ts';

const runDir = mkdtempSync(join(tmpdir(), 'patternbench-test-node-service-'));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

describe('startNodeService', () => {
  it('runs a TypeScript service with its env, and survives kill/restart and pause/resume', async () => {
    await using service = await startNodeService({ name: 'target', file: 'runtime/local/fixtures/health-service.ts', env: { GREETING: 'hi' }, runDir });
    expect(service.url).toBe(`http://127.0.0.1:${service.port}`);
    expect(await (await fetch(`${service.url}/anything`)).text()).toBe('hi');

    await service.pause();
    await expect(fetch(`${service.url}/health`, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    await service.resume();
    expect((await fetch(`${service.url}/health`)).status).toBe(200);

    const before = service.pid;
    await service.kill();
    await expect(fetch(`${service.url}/health`)).rejects.toThrow();
    await service.restart();
    expect(service.pid).not.toBe(before);
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
  });

  it('stop and kill leave nothing of the process group, not even a child that ignores SIGTERM', async () => {
    for (const end of ['stop', 'kill'] as const) {
      const service = await startNodeService({ name: `target-${end}`, file: 'runtime/local/fixtures/health-service.ts', env: { STUBBORN_CHILD: '1' }, runDir });
      const pgid = service.pid!;
      await service[end]();
      expect(groupRunning(pgid), end).toBe(false);
    }
  });

  it('throws, leaving nothing running, when the service never becomes healthy', async () => {
    await expect(startNodeService({ name: 'broken', file: 'runtime/local/fixtures/no-such-file.ts', runDir, readyTimeoutMs: 5_000 })).rejects.toThrow(
      /broken exited before it was ready[\s\S]*its last lines:[\s\S]*no-such-file/,
    );
  });
});
