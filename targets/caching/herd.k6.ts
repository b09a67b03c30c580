/**
 * The caching family's thundering herd: CLIENTS clients (VUs, a closed
 * loop, each waiting THINK_MS between requests) read one hot key, HOT_KEY,
 * for DURATION, across as many of its expiries as fit, every read recorded
 * with whether it hit and whether it loaded the item from PostgreSQL. With
 * a TTL of a few seconds and a load that takes a while (`loadCostMs`), each
 * expiry shows how many clients went to the database for the same key.
 *
 * A closed loop on purpose: the herd is a fixed crowd of clients, each with
 * one request outstanding at most (the runner's RATE, PRE_VUS and MAX_VUS do
 * not apply). Env: TARGET_URLS (required), DURATION ('30s'), TIMEOUT ('2s'),
 * CLIENTS (100), HOT_KEY ('k0'), THINK_MS (100), VALUE_BYTES (1000).
 */
import { sleep } from 'k6';
import { numberEnv, targetUrls } from '../../workloads/jepsen.ts';
import { itemRequests } from './requests.k6.ts';

const hotKey = __ENV.HOT_KEY || 'k0';
const thinkSeconds = numberEnv('THINK_MS', 100) / 1000;
const { read } = itemRequests(targetUrls(), __ENV.TIMEOUT || '2s', numberEnv('VALUE_BYTES', 1000));

export const options = {
  scenarios: {
    herd: { executor: 'constant-vus', vus: numberEnv('CLIENTS', 100), duration: __ENV.DURATION || '30s', gracefulStop: '5s' },
  },
};

export default function (): void {
  read(hotKey);
  // Jittered, so the clients do not march in step: each request is an independent arrival.
  sleep(thinkSeconds * (0.5 + Math.random()));
}
