/**
 * The caching family's workload: YCSB's core mixes over `/items/:id` at a
 * fixed arrival rate (an open model: requests keep arriving whether or not
 * the target keeps up, as users do, so a slow target shows as latency and
 * dropped iterations rather than as a politely lower load), every operation
 * recorded by Jepsen's rules (`workloads/jepsen.ts`) with the version it read
 * or wrote.
 *
 * Mixes (`workloads/ycsb.ts`): A read 0.5 / update 0.5, B 0.95 / 0.05, C read
 * only, D read 0.95 / insert 0.05 over `latest`, F read 0.5 /
 * read-modify-write 0.5 (a read, then a write of the same key); request
 * distribution zipfian (YCSB's scrambled, constant 0.99), uniform or latest.
 * The records are the service's seeded items `k0`…`k{KEYS-1}` (YCSB's load
 * phase); D inserts `k{KEYS}`, `k{KEYS+1}` … Values are VALUE_BYTES long,
 * `<tag>:<padding>`, and the history records a value by its tag, unique per
 * write (`<vu>-<iteration>`; seeded values are `seed-k<i>`).
 *
 * After the load, `teardown` reads every key once (FINAL_READS), so that
 * every acknowledged write is either read back or overwritten by the end:
 * what the lost-writes check needs.
 *
 * Env: TARGET_URLS (required), RATE, DURATION, PRE_VUS, MAX_VUS, TIMEOUT
 * (the runner's), KEYS (1000), MIX (a|b|c|d|f, 'b'), DISTRIBUTION (the mix's
 * own), READ_RATIO (instead of the mix: reads at this ratio, updates
 * otherwise), VALUE_BYTES (1000), FINAL_READS ('true'), SETTLE_MS (0: how
 * long to wait between the load and the final reads).
 */
import { sleep } from 'k6';
import exec from 'k6/execution';
import { numberEnv, openModel, targetUrls } from '../../workloads/jepsen.ts';
import { chooseOperation, insertSchedule, keyChooser, type RequestDistribution, type YcsbMix, ycsbMixes } from '../../workloads/ycsb.ts';
import { itemRequests } from './requests.k6.ts';

const urls = targetUrls();
const keys = numberEnv('KEYS', 1000);
const mix = (__ENV.MIX || 'b') as YcsbMix;
if (!Object.hasOwn(ycsbMixes, mix)) throw new Error(`MIX=${mix} is not one of ${Object.keys(ycsbMixes).join(', ')}`);
const distribution = (__ENV.DISTRIBUTION || ycsbMixes[mix].distribution) as RequestDistribution;
if (!['zipfian', 'uniform', 'latest'].includes(distribution)) throw new Error(`DISTRIBUTION=${distribution} is not zipfian, uniform or latest`);
const readRatio = __ENV.READ_RATIO ? numberEnv('READ_RATIO', 0.9) : undefined;
const valueBytes = numberEnv('VALUE_BYTES', 1000);
const timeout = __ENV.TIMEOUT || '2s';
const chooser = keyChooser(distribution, keys);

export const options = { ...openModel('caching'), teardownTimeout: '120s' };

const { read, write } = itemRequests(urls, timeout, valueBytes);

export default function (): void {
  const { insert, insertedBefore } = insertSchedule(mix, exec.scenario.iterationInTest);
  if (insert) {
    write(`k${keys + insertedBefore}`);
    return;
  }
  const key = `k${chooser.next(Math.random, keys - 1 + insertedBefore)}`;
  const op = readRatio === undefined ? chooseOperation(mix, Math.random()) : Math.random() < readRatio ? 'read' : 'update';
  if (op === 'read') read(key);
  else if (op === 'update') write(key);
  else {
    read(key);
    write(key);
  }
}

/**
 * Reads every key once after the load (and, for D, every key the load could
 * have inserted; one never inserted reads as 404): the run's last word on
 * each. SETTLE_MS first lets copies that a TTL bounds run out, so that a
 * write still hidden behind a stale copy is not mistaken for a lost one.
 */
export function teardown(): void {
  if (__ENV.FINAL_READS === 'false') return;
  sleep(numberEnv('SETTLE_MS', 0) / 1000);
  const inserted = insertSchedule(mix, Math.ceil(numberEnv('RATE', 50) * durationSeconds(__ENV.DURATION || '30s'))).insertedBefore;
  for (let i = 0; i < keys + inserted; i++) read(`k${i}`);
}

/** `'1500ms'`, `'30s'`, `'2m'` in seconds; throws naming DURATION otherwise. */
function durationSeconds(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text);
  if (!match) throw new Error(`DURATION=${text} is not like 1500ms, 30s or 2m`);
  return Number(match[1]) * { ms: 0.001, s: 1, m: 60 }[match[2] as 'ms' | 's' | 'm'];
}
