import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../local/tools.ts';
import type { Topology } from '../topology.ts';
import { composeFiles } from './compose-file.ts';
import { planContainers } from './container-plan.ts';

interface Service {
  ports?: (string | { host_ip?: string; published?: number | string })[];
  command?: string[];
  depends_on?: Record<string, unknown>;
  networks?: Record<string, { aliases?: string[] } | null>;
}

// Every kind of container and link, as in container-plan.test.ts.
const topology: Topology = {
  redis: { cache: { replicas: 1 } },
  postgres: { db: { replicas: 1, settings: ['synchronous_standby_names=*'] } },
  etcd: { etcd: { members: 3 } },
  services: { api: { file: 'svc.ts', replicas: 2, peers: true, uses: ['cache', 'db', 'etcd'] }, edge: { file: 'svc.ts', uses: ['api'] } },
};
const files = composeFiles(topology);

// The generated file in a folder of its own, with the files it names, so docker-compose can resolve it.
const dir = mkdtempSync(join(tmpdir(), 'patternbench-compose-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'docker'));
writeFileSync(join(dir, 'docker-compose.yml'), files.compose);
writeFileSync(join(dir, 'docker', 'toxiproxy.json'), files.toxiproxy);
cpSync(join(repoRoot, 'docker'), join(dir, 'docker'), { recursive: true, filter: (src) => !src.endsWith('toxiproxy.json') });

// No DOCKER_HOST: `config` must validate on a machine with no engine at all.
const env = { ...process.env, DOCKER_HOST: undefined };
const compose = (...args: string[]) =>
  execFileSync('docker-compose', ['-f', 'docker-compose.yml', ...args], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
// The normalised form: port syntax and the rest resolved by docker-compose itself.
let normalised: Record<string, Service> | undefined;
const services = (): Record<string, Service> => (normalised ??= parse(compose('config')).services as Record<string, Service>);

describe('a compose file from composeFiles', () => {
  it('validates with docker-compose config, without a Docker engine', () => {
    expect(() => compose('config', '-q')).not.toThrow();
  });

  it('has the containers, commands and networks the docker runtime starts for the same topology', () => {
    const plan = planContainers(topology, (name) => files.ports[name]);
    expect(Object.keys(services()).sort()).toEqual(['toxiproxy', ...plan.containers.map((c) => c.name)].sort());
    for (const c of plan.containers) {
      expect(services()[c.name].command, c.name).toEqual(c.command);
      expect(Object.fromEntries(Object.entries(services()[c.name].networks ?? {}).map(([n, v]) => [n, v?.aliases])), c.name).toEqual(c.networks);
    }
    expect(JSON.parse(files.toxiproxy).map((p: { name: string }) => p.name)).toEqual(plan.proxies.map((p) => p.name));
  });

  it('publishes one port a container, on 127.0.0.1 only, at the ports it lists', () => {
    for (const [name, s] of Object.entries(services())) {
      expect(s.ports, name).toHaveLength(1);
      const p = s.ports![0];
      expect(typeof p === 'string' ? p.split(':')[0] : p.host_ip, name).toBe('127.0.0.1');
      expect(Number(typeof p === 'string' ? p.split(':')[1] : p.published), name).toBe(files.ports[name]);
    }
  });

  it('starts a container after what it dials, but not after its peers (members and replicas of one service start together)', () => {
    expect(Object.keys(services()['db-replica-1'].depends_on ?? {}).sort()).toEqual(['db', 'toxiproxy']);
    expect(Object.keys(services()['etcd-1'].depends_on ?? {})).toEqual(['toxiproxy']);
    expect(Object.keys(services()['api-1'].depends_on ?? {}).sort()).toEqual([
      'cache',
      'cache-replica-1',
      'db',
      'db-replica-1',
      'etcd-1',
      'etcd-2',
      'etcd-3',
      'toxiproxy',
    ]);
    expect(Object.keys(services().edge.depends_on ?? {}).sort()).toEqual(['api-1', 'api-2', 'toxiproxy']);
  });
});
