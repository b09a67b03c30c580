/**
 * Benchmark: the cache-aside hit path's throughput as a ratio of the least a
 * cache read over HTTP can cost (`baseline-server.ts`: one Redis GET).
 *
 * Both servers read the same Redis on the same machine, under the same load
 * generator: k6 in a closed loop at fixed concurrency (see
 * `workloads/closed-loop-get.ts` for why a closed loop suits a maximum
 * throughput comparison). They run one at a time — on 2 cores, side by side
 * would measure their fight for CPU — alternating in short rounds in ABBA
 * order so that drift in the machine's load (other work on it) falls on both
 * alike; a warm-up round of each (JIT, connection pools) is discarded.
 *
 * Both reach Redis directly, not through the environment's Toxiproxy link:
 * the proxy's CPU would be charged to both and blur the difference the
 * pattern makes. Redis's own hit/miss counters prove every measured
 * cache-aside request was a hit.
 *
 * Run: `npx tsx bench/cache-aside-hit/run.ts` (about 90 s).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { endpointUrl, serviceEnv } from '../../runtime/endpoint.ts';
import { startNodeService } from '../../runtime/local/node-service.ts';
import { startLocalEnvironment } from '../../runtime/local/start-local-environment.ts';
import { repoRoot, toolPath } from '../../runtime/local/tools.ts';

const vus = 8;
const warmupSeconds = 3;
const roundSeconds = 5;
const rounds = 6;
const itemId = 'k1';

interface Measurement {
  reqsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  failedRate: number;
}

const run = promisify(execFile);

/** One closed-loop k6 run against `url`; throws if k6 fails. */
async function measure(url: string, seconds: number, dir: string): Promise<Measurement> {
  const summaryFile = join(dir, 'summary.json');
  await run(
    toolPath('k6'),
    ['run', '--quiet', '--no-color', '--address', '', '--summary-export', summaryFile, '--summary-trend-stats', 'med,p(99)', 'workloads/closed-loop-get.ts'],
    {
      cwd: repoRoot,
      timeout: (seconds + 30) * 1000,
      env: { ...process.env, K6_NO_USAGE_REPORT: 'true', K6_AUTO_EXTENSION_RESOLUTION: 'false', URL: url, VUS: String(vus), DURATION: `${seconds}s` },
    },
  );
  const { metrics } = JSON.parse(readFileSync(summaryFile, 'utf8')) as { metrics: Record<string, Record<string, number>> };
  return {
    reqsPerSec: metrics.http_reqs.rate,
    p50Ms: metrics.http_req_duration.med,
    p99Ms: metrics.http_req_duration['p(99)'],
    failedRate: metrics.http_req_failed.value,
  };
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const runDir = mkdtempSync(join(tmpdir(), 'patternbench-bench-cache-aside-hit-'));
const env = await startLocalEnvironment({ redis: { redis: {} }, postgres: { postgres: {} } }, { runDir });
// Both servers are started here, told the real addresses (no links): each talks to the same Redis directly.
const services: Array<{ stop(): Promise<void> }> = [];
const use = <S extends { stop(): Promise<void> }>(s: S): S => (services.push(s), s);
try {
  const redis = env.components.get('redis')!;
  const postgres = env.components.get('postgres')!;
  const redisUrl = endpointUrl('redis', redis);
  const node = (c: typeof redis) => ({ name: c.name, role: 'primary' as const, host: c.host, port: c.port, url: endpointUrl(c.kind, c) });
  const world = {
    name: 'cache-aside',
    replica: 1,
    replicas: 1,
    peers: {},
    endpoints: { redis: { kind: 'redis' as const, nodes: [node(redis)] }, postgres: { kind: 'postgres' as const, nodes: [node(postgres)] } },
  };
  const cacheAside = use(
    await startNodeService({
      name: 'cache-aside',
      file: 'targets/caching/server.ts',
      // A TTL far beyond the run, so that no measured request is a miss.
      env: { ...serviceEnv(world), PB_PATTERN: 'cache-aside', PB_OPTIONS: JSON.stringify({ ttlSeconds: 3600, seedItems: 10 }) },
      runDir,
    }),
  );
  const baseline = use(await startNodeService({ name: 'baseline', file: 'bench/cache-aside-hit/baseline-server.ts', env: { REDIS_URL: redisUrl }, runDir }));

  const servers = { 'cache-aside': `${cacheAside.url}/items/${itemId}`, baseline: `${baseline.url}/items/${itemId}` };
  const first = (await (await fetch(servers['cache-aside'])).json()) as { cache: string };
  if (first.cache !== 'miss') throw new Error(`the first read of ${itemId} was a ${first.cache}, not a miss`);
  if ((await fetch(servers.baseline)).status !== 200) throw new Error('the baseline does not find the cached item');

  const statsClient = createClient({ url: redisUrl });
  await statsClient.connect();
  const misses = async (): Promise<number> => Number(/keyspace_misses:(\d+)/.exec(await statsClient.info('stats'))![1]);

  for (const url of Object.values(servers)) await measure(url, warmupSeconds, runDir);
  const results: Record<keyof typeof servers, Measurement[]> = { 'cache-aside': [], baseline: [] };
  const missesBefore = await misses();
  for (let round = 0; round < rounds; round++) {
    const order = (round % 2 === 0 ? ['cache-aside', 'baseline'] : ['baseline', 'cache-aside']) as (keyof typeof servers)[];
    for (const name of order) {
      const m = await measure(servers[name], roundSeconds, runDir);
      if (m.failedRate > 0) throw new Error(`${name}: ${(m.failedRate * 100).toFixed(2)}% of requests failed in round ${round + 1}`);
      results[name].push(m);
    }
  }
  const missesDuring = (await misses()) - missesBefore;
  await statsClient.close();
  if (missesDuring !== 0) throw new Error(`Redis saw ${missesDuring} misses during the measured rounds: not a pure hit-path measurement`);

  const ratios = results['cache-aside'].map((m, i) => m.reqsPerSec / results.baseline[i].reqsPerSec);
  const row = (name: keyof typeof servers) => {
    const rps = results[name].map((m) => m.reqsPerSec);
    return {
      server: name,
      'req/s (median)': Math.round(median(rps)),
      'req/s (min–max)': `${Math.round(Math.min(...rps))}–${Math.round(Math.max(...rps))}`,
      'p50 ms': median(results[name].map((m) => m.p50Ms)).toFixed(2),
      'p99 ms': median(results[name].map((m) => m.p99Ms)).toFixed(2),
    };
  };
  console.log(
    `\ncache-aside hit path vs one Redis GET — k6 closed loop, ${vus} VUs, ${rounds} rounds × ${roundSeconds} s each (ABBA), warm-up discarded, 0 Redis misses\n`,
  );
  console.table([row('cache-aside'), row('baseline')]);
  console.log(
    `ratio cache-aside/baseline (req/s): median ${median(ratios).toFixed(3)}, rounds ${ratios.map((r) => r.toFixed(3)).join(', ')} (spread ${(Math.max(...ratios) - Math.min(...ratios)).toFixed(3)})`,
  );
} finally {
  for (const s of services) await s.stop();
  await env.stop();
  rmSync(runDir, { recursive: true, force: true });
}
