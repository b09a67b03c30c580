import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startDockerEnvironment } from './start-docker-environment.ts';

// Where testcontainers finds an engine on Linux; on a host with one, this suite has nothing to check.
const engineHere = Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
const runDir = mkdtempSync(join(tmpdir(), 'patternbench-docker-test-'));

afterAll(() => rmSync(runDir, { recursive: true, force: true }));

describe.skipIf(engineHere)('the docker runtime without a Docker engine', () => {
  it('refuses in one line that says where it looked and names the local runtime, starting nothing', async () => {
    const started = startDockerEnvironment({ redis: { redis: { replicas: 1 } }, etcd: { etcd: { members: 1 } } }, { runDir });
    const error = await started.then(
      () => expect.fail('a docker environment started on a host without Docker'),
      (err: Error) => err,
    );
    expect(error.message).toMatch(
      /^no Docker engine found \(DOCKER_HOST unset, no \/var\/run\/docker\.sock, testcontainers: .+\); use the default local runtime: --runtime local$/,
    );
    expect(error.message).not.toContain('\n');
    expect(readdirSync(runDir)).toEqual([]);
  });
});
