import type { Component } from '../runtime/component.ts';
import { endpointUrl } from '../runtime/endpoint.ts';

/** How long one member may take to say whether it leads; one that does not answer does not lead. */
const askTimeoutMs = 1_500;

/**
 * The members that say they lead, asked at their real addresses (not
 * through their links, which a fault may have cut): an etcd member is the
 * leader when the leader id most members report is its own (maintenance
 * status); a PostgreSQL server leads when it is not in recovery; a Redis
 * when `ROLE` says master; a service when its `GET /health` says `role:
 * "leader"` or `"primary"` (every replica of a multi-leader service does).
 * A member that does not answer within 1.5 s does not lead. Never throws;
 * the backend clients load only when a member of their kind is asked.
 */
export async function askLeaders(members: readonly Component[]): Promise<string[]> {
  const etcd = members.filter((m) => m.kind === 'etcd');
  const answers = await Promise.all([
    etcdLeaders(etcd),
    ...members.filter((m) => m.kind !== 'etcd').map(async (m) => ((await leads(m).catch(() => false)) ? [m.name] : [])),
  ]);
  return answers.flat().sort();
}

async function leads(member: Component): Promise<boolean> {
  switch (member.kind) {
    case 'postgres': {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: endpointUrl('postgres', member), connectionTimeoutMillis: askTimeoutMs, query_timeout: askTimeoutMs });
      client.on('error', () => undefined);
      try {
        await client.connect();
        const { rows } = await client.query<{ recovering: boolean }>('SELECT pg_is_in_recovery() AS recovering');
        return rows[0]?.recovering === false;
      } finally {
        void client.end().catch(() => undefined);
      }
    }
    case 'redis': {
      const { createClient } = await import('redis');
      const client = createClient({ url: endpointUrl('redis', member), socket: { connectTimeout: askTimeoutMs, reconnectStrategy: false } });
      client.on('error', () => undefined);
      try {
        await client.connect();
        const role = (await withTimeout(client.sendCommand(['ROLE']))) as unknown[];
        return role[0] === 'master';
      } finally {
        client.destroy();
      }
    }
    case 'service': {
      const res = await fetch(`${endpointUrl('service', member)}/health`, { signal: AbortSignal.timeout(askTimeoutMs) });
      const { role } = (await res.json()) as { role?: unknown };
      return role === 'leader' || role === 'primary';
    }
    default:
      return false;
  }
}

/** The etcd members whose own id is the leader id most answering members report (none when none answer). */
async function etcdLeaders(members: readonly Component[]): Promise<string[]> {
  const statuses = await Promise.all(
    members.map(async (m) => {
      try {
        const res = await fetch(`${endpointUrl('etcd', m)}/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(askTimeoutMs) });
        const status = (await res.json()) as { header?: { member_id?: string }; leader?: string };
        return { name: m.name, id: status.header?.member_id, leader: status.leader };
      } catch {
        return { name: m.name, id: undefined, leader: undefined };
      }
    }),
  );
  const votes = new Map<string, number>();
  for (const s of statuses) if (s.leader && s.leader !== '0') votes.set(s.leader, (votes.get(s.leader) ?? 0) + 1);
  const [top] = [...votes].sort((a, b) => b[1] - a[1]);
  return top ? statuses.filter((s) => s.id === top[0]).map((s) => s.name) : [];
}

function withTimeout<T>(p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('no answer')), askTimeoutMs).unref())]);
}
