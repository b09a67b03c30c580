import { describe, expect, it } from 'vitest';
import type { InstanceEndpoints } from '../endpoint.ts';
import { planTopology, type Topology } from '../topology.ts';
import { type ContainerPlan, containerPorts, mainNetwork, planContainers } from './container-plan.ts';

// Every kind of link: store replicas, a 3-member etcd cluster's per-pair peer links, a service with peers using
// stores and etcd, and a second service using the first.
const topology: Topology = {
  redis: { cache: { replicas: 1 } },
  postgres: { db: { replicas: 1 } },
  etcd: { etcd: { members: 3 }, solo: { members: 1 } },
  services: {
    api: { file: 'svc.ts', replicas: 2, peers: true, uses: ['cache', 'db', 'etcd'] },
    edge: { file: 'svc.ts', uses: ['api'] },
  },
};
const plan = planContainers(topology, (name) => 30_000 + name.length);
const all = (p: ContainerPlan) => [p.toxiproxy, ...p.containers];

/** What `name` resolves to from a container on `networks`, as Docker's embedded DNS answers: every container with that alias on any of them. */
function resolve(name: string, networks: string[]): string[] {
  return all(plan)
    .filter((c) => networks.some((n) => c.networks[n]?.includes(name)))
    .map((c) => c.name);
}
const networksOf = (name: string) => Object.keys(all(plan).find((c) => c.name === name)!.networks);
const hostOf = (address: string) => address.slice(0, address.lastIndexOf(':'));
const portOf = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));

describe('planContainers', () => {
  it('has a container for every component and a proxy for every link, named as planTopology names them', () => {
    const names = planTopology(topology);
    expect(plan.containers.map((c) => c.name)).toEqual(names.components.map((c) => c.name));
    expect(plan.proxies.map((p) => p.name)).toEqual(names.links.map((l) => l.name));
  });

  it('has each link dialled where only its own proxy listens: the dialer resolves the host to toxiproxy alone, at the proxy’s port', () => {
    for (const p of plan.proxies) {
      expect(resolve(p.dial.host, networksOf(p.from)), p.name).toEqual(['toxiproxy']);
      expect(p.dial.port, p.name).toBe(portOf(p.listen));
      const listenHost = hostOf(p.listen);
      if (listenHost !== '0.0.0.0') {
        // Toxiproxy binds the address it has on the dialer's network, and only there.
        const own = networksOf('toxiproxy').filter((n) => plan.toxiproxy.networks[n].includes(listenHost));
        expect(own, p.name).toHaveLength(1);
        expect(networksOf(p.from), p.name).toContain(own[0]);
        expect(plan.toxiproxy.networks[own[0]], p.name).toContain(p.dial.host);
      }
    }
  });

  it('has no two proxies on one address of toxiproxy, and none on a port another binds on every address', () => {
    const wildcard = new Set(plan.proxies.filter((p) => p.listen.startsWith('0.0.0.0:')).map((p) => portOf(p.listen)));
    expect(wildcard.size).toBe(plan.proxies.filter((p) => p.listen.startsWith('0.0.0.0:')).length);
    const specific = plan.proxies.filter((p) => !p.listen.startsWith('0.0.0.0:')).map((p) => p.listen);
    expect(new Set(specific).size).toBe(specific.length);
    for (const address of specific) expect(wildcard.has(portOf(address)), address).toBe(false);
    expect(wildcard.has(containerPorts.toxiproxy)).toBe(false);
  });

  it('has toxiproxy reach each upstream as exactly the component behind the link', () => {
    for (const p of plan.proxies) expect(resolve(hostOf(p.upstream), networksOf('toxiproxy')), p.name).toEqual([p.to]);
  });

  it('routes etcd peer traffic per ordered pair: member m resolves every peer to its own toxiproxy address, where only m’s links listen', () => {
    for (const m of ['etcd-1', 'etcd-2', 'etcd-3']) {
      expect(networksOf(m)).toEqual([`${m}-peers`]);
      const args = plan.containers.find((c) => c.name === m)!.command;
      const advertised = args.find((a) => a.startsWith('--initial-advertise-peer-urls='))!.split('=')[1];
      expect(advertised).toMatch(new RegExp(`^http://${m}\\.peer:\\d+$`));
      for (const peer of ['etcd-1', 'etcd-2', 'etcd-3'].filter((p) => p !== m)) {
        const link = plan.proxies.find((p) => p.from === m && p.to === peer)!;
        const peerUrl = args.find((a) => a.startsWith('--initial-cluster='))!.match(new RegExp(`${peer}=(http://[^,]+)`))![1];
        expect(`http://${link.dial.host}:${link.dial.port}`).toBe(peerUrl);
        expect(link.listen).toBe(`${m}.links:${link.dial.port}`);
      }
    }
    // A single member has no peers: it sits on the main network and advertises its own peer port.
    expect(networksOf('solo-1')).toEqual([mainNetwork]);
    expect(plan.containers.find((c) => c.name === 'solo-1')!.command).toContain(`--initial-advertise-peer-urls=http://solo-1:${containerPorts.etcdPeer}`);
  });

  it('tells each service replica its links to what it uses and to its peers, and only those', () => {
    const envOf = (name: string) => plan.containers.find((c) => c.name === name)!.env;
    const api1 = envOf('api-1');
    const endpoints = JSON.parse(api1.PB_ENDPOINTS) as Record<string, InstanceEndpoints>;
    expect(Object.keys(endpoints)).toEqual(['cache', 'db', 'etcd']);
    for (const instance of Object.values(endpoints)) {
      for (const node of instance.nodes) {
        const link = plan.proxies.find((p) => p.from === 'api-1' && p.to === node.name)!;
        expect({ host: node.host, port: node.port }).toEqual(link.dial);
      }
    }
    expect(JSON.parse(api1.PB_PEERS)).toEqual({ 'api-2': `http://toxiproxy:${plan.proxies.find((p) => p.name === 'api-1-to-api-2')!.dial.port}` });
    expect(Object.keys(JSON.parse(envOf('edge').PB_ENDPOINTS))).toEqual(['api']);
    expect(api1).toMatchObject({ PORT: String(containerPorts.service), PB_LISTEN_HOST: '0.0.0.0' });
  });

  it('has a replica dial its primary through its link', () => {
    expect(plan.containers.find((c) => c.name === 'cache-replica-1')!.command.join(' ')).toContain(
      `--replicaof toxiproxy ${plan.proxies.find((p) => p.name === 'cache-replica-1-to-cache')!.dial.port}`,
    );
    expect(plan.containers.find((c) => c.name === 'db-replica-1')!.env.PB_PRIMARY).toBe(
      `toxiproxy:${plan.proxies.find((p) => p.name === 'db-replica-1-to-db')!.dial.port}`,
    );
  });
});
