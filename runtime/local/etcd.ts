import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Endpoint } from '../endpoint.ts';
import type { Link } from '../environment.ts';
import { linkName } from '../topology.ts';
import { freePort } from './free-port.ts';
import type { LinkSpec } from './links.ts';
import { makeDataDir } from './data-dir.ts';
import { LocalProcess } from './local-process.ts';
import { ProcessComponent } from './process-component.ts';

/** How to start one etcd cluster on loopback. */
export interface EtcdClusterOptions {
  /** The cluster's name; its members are `<name>-1` … `<name>-N`. */
  name: string;
  members: number;
  /** Which cluster of the environment this is (0, 1, …): it picks the loopback addresses of its peer links. */
  index: number;
  /** Logs go to `${runDir}/logs/<member>.log`. */
  runDir: string;
  /** Creates a Toxiproxy proxy and returns it. */
  link: (spec: LinkSpec) => Promise<Link>;
}

const host = '127.0.0.1';
const url = (e: Endpoint) => `http://${e.host}:${e.port}`;

/**
 * Starts etcd 3.4 members concurrently (each waits for a quorum), each on
 * free client and peer ports with its own temp data dir; resolves once every
 * member's `GET /health` is healthy. Throws (having stopped the members it
 * started; the links stay the caller's) when a member is not healthy within
 * 30 s. Clients (and the links services dial) reach members at their real
 * client ports.
 *
 * Peer links, one per ordered pair. etcd has every member dial the one peer
 * URL each member advertises, so a proxy per pair needs each dialer to reach
 * a different proxy at the same URL. Member N advertises
 * `http://<name>-N:<port>`; each member runs in a mount namespace of its own
 * (`unshare`) where /etc/hosts is a file of its own, mapping every other
 * member's name to a loopback address that only that pair uses:
 * `127.<10+index>.<from>.<to>`, where the proxy `<from>-to-<to>` listens on
 * N's advertised port. So link `etcd-1-to-etcd-2` carries every connection
 * etcd-1 opens to etcd-2, and nothing else.
 *
 * What a fault on `a-to-b` cuts, given how etcd's rafthttp talks: a's stream
 * readers dial b and b writes its messages for a into the response (b→a, the
 * link's downstream); when a has no stream to b it POSTs its messages to b
 * (a→b, upstream). A TCP proxy cuts both directions of the connections it
 * carries, so disabling `a-to-b` alone cuts neither direction for good (each
 * side falls back to the connections the other dialled). Members a and b
 * lose each other when both `a-to-b` and `b-to-a` are down — the pair
 * partition the `partition` faults make — while both still reach every other
 * member. Members run with `--pre-vote`, so a member cut off and healed does
 * not depose a leader that kept its quorum.
 *
 * A single member has no peers: it advertises its real peer port and needs no
 * namespace. Restart after `kill()` reuses the data dir with
 * `--initial-cluster-state existing`; `stop()` is final and removes it.
 */
export async function startEtcdCluster(options: EtcdClusterOptions): Promise<ProcessComponent[]> {
  const { name: cluster, members, runDir, link } = options;
  if (members > 1 && options.index > 200) throw new Error(`etcd ${cluster}: too many clusters for the peer links' loopback addresses`);
  const names = Array.from({ length: members }, (_, i) => `${cluster}-${i + 1}`);
  const ports = new Set<number>();
  // freePort() may hand the same port out twice in a row; each member needs three of its own.
  for (let tries = 0; ports.size < 3 * members && tries < 30 * members; tries++) ports.add(await freePort());
  if (ports.size < 3 * members) throw new Error(`etcd ${cluster}: could not find ${3 * members} free ports on ${host}`);
  const [clientPorts, peerPorts, advertisedPorts] = [0, 1, 2].map((k) => [...ports].slice(k * members, (k + 1) * members));
  const pairHost = (from: number, to: number) => `127.${10 + options.index}.${from + 1}.${to + 1}`;
  for (const [from, fromName] of names.entries()) {
    for (const [to, toName] of names.entries()) {
      if (from === to) continue;
      await link({
        name: linkName(fromName, toName),
        from: fromName,
        to: toName,
        upstream: { host, port: peerPorts[to] },
        listen: { host: pairHost(from, to), port: advertisedPorts[to] },
      });
    }
  }
  const advertised = names.map((name, i) => (members > 1 ? { host: name, port: advertisedPorts[i] } : { host, port: peerPorts[i] }));
  const initialCluster = names.map((name, i) => `${name}=${url(advertised[i])}`).join(',');

  const procs: LocalProcess[] = [];
  const etcds = names.map((name, i) => {
    const dir = makeDataDir(name);
    const etcdArgs = [
      `--name=${name}`,
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=${url({ host, port: clientPorts[i] })}`,
      `--advertise-client-urls=${url({ host, port: clientPorts[i] })}`,
      `--listen-peer-urls=${url({ host, port: peerPorts[i] })}`,
      `--initial-advertise-peer-urls=${url(advertised[i])}`,
      `--initial-cluster=${initialCluster}`,
      '--initial-cluster-state=new',
      '--initial-cluster-token=patternbench',
      '--pre-vote',
      '--logger=zap',
      '--log-outputs=stderr',
    ];
    let command = '/usr/bin/etcd';
    let args = etcdArgs;
    if (members > 1) {
      const hosts = join(dir, 'hosts');
      const lines = ['127.0.0.1 localhost', ...names.map((other, j) => `${j === i ? host : pairHost(i, j)} ${other}`)];
      writeFileSync(hosts, `${lines.join('\n')}\n`);
      [command, args] = ownHostsFile(hosts, '/usr/bin/etcd', etcdArgs);
    }
    const proc = new LocalProcess({
      name,
      command,
      args,
      logFile: join(runDir, 'logs', `${name}.log`),
      ready: () => healthy(clientPorts[i]),
      readyTimeoutMs: 30_000,
    });
    procs.push(proc);
    // As dataDir, not a cleanup: so data-dirs.json lists it and `patternbench down` removes it after a crash.
    return new ProcessComponent({ name, kind: 'etcd', port: clientPorts[i], proc, dataDir: dir });
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
  return etcds;
}

/**
 * `command args` run in a mount namespace of its own where `hostsFile` is
 * /etc/hosts. `unshare` execs (no fork), so the pid is the program's. As
 * root a plain mount namespace; otherwise inside a user namespace too, which
 * an unprivileged user may make where the kernel allows it.
 */
function ownHostsFile(hostsFile: string, command: string, args: string[]): [string, string[]] {
  const userNs = process.getuid?.() === 0 ? [] : ['--user', '--map-root-user'];
  return ['unshare', [...userNs, '--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', hostsFile, command, ...args]];
}

/** True once the member answers `GET /health` with `{"health":"true"}` (it has a leader and a quorum read succeeded). */
async function healthy(clientPort: number): Promise<boolean> {
  const res = await fetch(`http://${host}:${clientPort}/health`, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok) return false;
  return ((await res.json()) as { health?: string }).health === 'true';
}
