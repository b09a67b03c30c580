import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../local/tools.ts';
import { planTopology } from '../topology.ts';

interface Service {
  ports?: (string | { host_ip?: string; published?: number | string })[];
  command?: string | string[];
}

// No DOCKER_HOST: `config` must validate on a machine with no engine at all.
const env = { ...process.env, DOCKER_HOST: undefined };
const compose = (...args: string[]) =>
  execFileSync('docker-compose', ['-f', 'docker-compose.yml', ...args], { cwd: repoRoot, env, encoding: 'utf8', timeout: 30_000 });
// The normalised form: anchors, merges and port syntax resolved by docker-compose itself.
let normalised: Record<string, Service> | undefined;
const services = (): Record<string, Service> => (normalised ??= parse(compose('config')).services as Record<string, Service>);
const proxies = (): { name: string; listen: string; upstream: string }[] => JSON.parse(readFileSync(join(repoRoot, 'docker', 'toxiproxy.json'), 'utf8'));
const port = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));

describe('docker-compose.yml', () => {
  it('validates with docker-compose config, without a Docker engine', () => {
    expect(() => compose('config', '-q')).not.toThrow();
  });

  it('publishes every port on 127.0.0.1 only', () => {
    const published = Object.entries(services()).flatMap(([name, s]) => (s.ports ?? []).map((p) => ({ name, p })));
    expect(published.length).toBeGreaterThan(0);
    for (const { name, p } of published) {
      const hostIp = typeof p === 'string' ? p.split(':')[0] : p.host_ip;
      expect(hostIp, `${name} publishes ${JSON.stringify(p)}`).toBe('127.0.0.1');
    }
  });

  it('names its Toxiproxy links as planTopology names them for the same topology (etcd peer links aside)', () => {
    // The compose environment: a target on the host using Redis and PostgreSQL (one replica each) and 3 etcd members.
    const plan = planTopology({
      redis: { redis: { replicas: 1 } },
      postgres: { postgres: { replicas: 1 } },
      etcd: { etcd: { members: 3 } },
      services: { target: { file: 'none', uses: ['redis', 'postgres', 'etcd'] } },
    });
    const isPeerLink = (name: string) => /^etcd-\d-to-etcd-\d$/.test(name);
    const expected = plan.links.map((l) => l.name).filter((n) => !isPeerLink(n));
    const names = proxies().map((p) => p.name);
    expect(names.filter((n) => !n.startsWith('peers-to-')).sort()).toEqual(expected.sort());
    // Compose has one peer link into each member, not one per ordered pair (which needs a member's own hosts file: the containers issue).
    expect(names.filter((n) => n.startsWith('peers-to-'))).toEqual(['peers-to-etcd-1', 'peers-to-etcd-2', 'peers-to-etcd-3']);
  });

  it('publishes the Toxiproxy API and exactly the links a target dials, and nothing else', () => {
    const published = (services().toxiproxy.ports ?? []).map((p) => port(String(p).replace(/\/tcp$/, '')));
    const targetLinks = proxies()
      .filter((p) => p.name.startsWith('target-to-'))
      .map((p) => port(p.listen));
    expect(published.sort()).toEqual([8474, ...targetLinks].sort());
    for (const [name, s] of Object.entries(services())) if (name !== 'toxiproxy') expect(s.ports ?? [], name).toEqual([]);
  });

  it('has each etcd member advertise its peers-to and target-to links', () => {
    const byName = new Map(proxies().map((p) => [p.name, port(p.listen)]));
    for (const n of [1, 2, 3]) {
      const args = services()[`etcd-${n}`].command as string[];
      expect(args).toContain(`--initial-advertise-peer-urls=http://toxiproxy:${byName.get(`peers-to-etcd-${n}`)}`);
      expect(args).toContain(`--advertise-client-urls=http://127.0.0.1:${byName.get(`target-to-etcd-${n}`)}`);
      expect(proxies().find((p) => p.name === `peers-to-etcd-${n}`)!.upstream).toBe(`etcd-${n}:2380`);
    }
  });
});
