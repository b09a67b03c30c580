import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Endpoint, Link } from '../environment.ts';
import { freePort } from './free-port.ts';
import { LocalProcess } from './local-process.ts';
import { ProcessComponent } from './process-component.ts';

/** How to start an etcd cluster on 127.0.0.1. */
export interface EtcdClusterOptions {
  members: 1 | 3;
  /** Logs go to `${runDir}/logs/etcd-N.log`. */
  runDir: string;
  /** Creates the named Toxiproxy proxy in front of `upstream` and returns it. */
  link: (name: string, upstream: Endpoint) => Promise<Link>;
}

/** A started etcd cluster: its members, where clients connect (the client links), and every link. */
export interface StartedEtcdCluster {
  /** `etcd-1` … `etcd-N`; `host`/`port` are each member's real client address. */
  components: ProcessComponent[];
  /** One a member, in member order: the listen addresses of `target-to-etcd-N`. */
  clientEndpoints: Endpoint[];
  /** `target-to-etcd-N` for every member, then `peers-to-etcd-N` for every member of a 3-member cluster. */
  links: Link[];
}

const host = '127.0.0.1';
const url = (e: Endpoint) => `http://${e.host}:${e.port}`;

/**
 * Starts etcd 3.4 members concurrently (each waits for a quorum), each on
 * free client and peer ports with its own temp data dir, every link through
 * Toxiproxy; resolves once every member's `GET /health` is healthy. Throws
 * (having stopped the members it started; the links stay the caller's) when
 * a member is not healthy within 30 s.
 *
 * Links. A client link `target-to-etcd-N` fronts each client port. For 3
 * members, one peer link `peers-to-etcd-N` fronts each member's peer port: N
 * advertises that proxy's address as its peer URL, so every peer connection
 * *into* N passes it. (A single member has no peer traffic and gets no peer
 * link.)
 *
 * What a fault on `peers-to-etcd-N` cuts, given how etcd's rafthttp talks:
 * - Streams: each member M runs long-lived stream readers (`message`,
 *   `msgappv2`) that *dial* N's peer URL with a GET; N writes its messages for
 *   M into that response. So `peers-to-etcd-N` carries N→M stream traffic
 *   (its downstream direction).
 * - Pipeline: when M has no working stream to N, M sends each message as an
 *   HTTP POST to N's peer URL (snapshots always go this way). So
 *   `peers-to-etcd-N` carries M→N pipeline traffic (its upstream direction).
 * - Also N's other peer endpoints (`/members`, `/version`, lease forwarding).
 *
 * Hence disabling `peers-to-etcd-N` alone isolates nothing: N→M falls back to
 * pipeline POSTs through `peers-to-etcd-M`, and M→N keeps flowing on the
 * stream N dialed through `peers-to-etcd-M`; N keeps serving linearizable
 * reads and writes. Members A and B lose each other only when both
 * `peers-to-etcd-A` and `peers-to-etcd-B` are down. So a clean 1|2 split
 * cannot be made with these links (it would need a proxy per ordered pair,
 * and etcd has every member dial the one URL each peer advertises). What can
 * be made is Jepsen's bridge: disabling `peers-to-etcd-X` and
 * `peers-to-etcd-L` (L the leader) cuts X from L while the third member still
 * talks to both; L keeps its quorum, and X cannot serve a linearizable read
 * or write, since ReadIndex and proposals go to the leader. Members run with
 * `--pre-vote` so X's failed elections do not depose L when the links heal.
 * Both claims are tested in `etcd.integration.test.ts`. A toxic that keeps
 * connections up (latency, bandwidth) on `peers-to-etcd-N` therefore acts on
 * what N sends (its downstream direction) and on almost nothing N receives,
 * which normally flows over N's own streams through the other members' links.
 *
 * Restart after `kill()` reuses the data dir with `--initial-cluster-state
 * existing`; `stop()` is final and removes the data dir.
 */
export async function startEtcdCluster(options: EtcdClusterOptions): Promise<StartedEtcdCluster> {
  const { members, runDir, link } = options;
  const names = Array.from({ length: members }, (_, i) => `etcd-${i + 1}`);
  const ports = new Set<number>();
  // freePort() may hand the same port out twice in a row; each member needs two of its own.
  for (let tries = 0; ports.size < 2 * members && tries < 20 * members; tries++) ports.add(await freePort());
  if (ports.size < 2 * members) throw new Error(`etcd: could not find ${2 * members} free ports on ${host}`);
  const [clientPorts, peerPorts] = [[...ports].slice(0, members), [...ports].slice(members)];
  const clientLinks: Link[] = [];
  const peerLinks: Link[] = [];
  for (const [i, name] of names.entries()) {
    clientLinks.push(await link(`target-to-${name}`, { host, port: clientPorts[i] }));
    if (members > 1) peerLinks.push(await link(`peers-to-${name}`, { host, port: peerPorts[i] }));
  }
  // What each member advertises to the others: its peer link, or for a lone member its own port.
  const advertisedPeer = names.map((_, i) => (members > 1 ? peerLinks[i].listen : { host, port: peerPorts[i] }));
  const initialCluster = names.map((name, i) => `${name}=${url(advertisedPeer[i])}`).join(',');

  const procs: LocalProcess[] = [];
  const etcds = names.map((name, i) => {
    const dataDir = mkdtempSync(join(tmpdir(), `patternbench-${name}-`));
    const proc = new LocalProcess({
      name,
      command: '/usr/bin/etcd',
      args: [
        `--name=${name}`,
        `--data-dir=${dataDir}`,
        `--listen-client-urls=${url({ host, port: clientPorts[i] })}`,
        `--advertise-client-urls=${url(clientLinks[i].listen)}`,
        `--listen-peer-urls=${url({ host, port: peerPorts[i] })}`,
        `--initial-advertise-peer-urls=${url(advertisedPeer[i])}`,
        `--initial-cluster=${initialCluster}`,
        '--initial-cluster-state=new',
        '--initial-cluster-token=patternbench',
        '--pre-vote',
        '--logger=zap',
        '--log-outputs=stderr',
      ],
      logFile: join(runDir, 'logs', `${name}.log`),
      ready: () => healthy(clientPorts[i]),
      readyTimeoutMs: 30_000,
    });
    procs.push(proc);
    // As dataDir, not a cleanup: so data-dirs.json lists it and `patternbench down` removes it after a crash.
    return new ProcessComponent(name, clientPorts[i], proc, undefined, dataDir);
  });
  // Concurrently: each member waits for a quorum before it reports healthy.
  const started = await Promise.allSettled(procs.map((p) => p.start()));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(etcds.map((e) => e.stop()));
    throw failed.reason;
  }
  // `restart()` reuses the spec: from now on a member rejoins the cluster its data dir belongs to.
  for (const proc of procs) proc.spec.args[proc.spec.args.indexOf('--initial-cluster-state=new')] = '--initial-cluster-state=existing';
  return {
    components: etcds,
    clientEndpoints: clientLinks.map((l) => l.listen),
    links: [...clientLinks, ...peerLinks],
  };
}

/** True once the member answers `GET /health` with `{"health":"true"}` (it has a leader and a quorum read succeeded). */
async function healthy(clientPort: number): Promise<boolean> {
  const res = await fetch(`http://${host}:${clientPort}/health`, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok) return false;
  return ((await res.json()) as { health?: string }).health === 'true';
}
