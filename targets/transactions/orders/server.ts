/**
 * The order service (the service named `target`) of the order patterns:
 * routes that translate HTTP to the pattern named by `PB_PATTERN` (from
 * `registry.ts`). Its database is `orders-db`; the participants are the
 * services `inventory`, `payment` and `shipping`; Redis when the pattern's
 * topology has it.
 *
 *   POST /orders Order → 200 { id, state: 'completed' }
 *                      | 409 { error, state: 'rejected' | 'compensated' }  (surely no effect left)
 *                      | 400 (a malformed body)
 *   GET  /orders/:id   → 200 { id, state, step?, createdAtMs, finishedAtMs? } | 404
 *   GET  /sagas        → 200 { inFlight: [{ id, state, step, attempts?, sinceMs? }] }  (also /in-flight)
 *   GET  /audit        → 200 { orders, inventory, payment, shipping, log? }: every service's records
 *   GET|PUT|DELETE /failpoints[/:name]
 *   a backend error, or no answer within 3 s → 503 { error }: the order may still complete
 */
import { createClient } from 'redis';
import { bodyOf, HttpError, serve } from '../../kit/http.ts';
import { readSettings } from '../../kit/world.ts';
import { failpointRoutes } from '../failpoint-routes.ts';
import { Failpoints } from '../failpoints.ts';
import { createPool } from '../pools.ts';
import { persist } from '../retry.ts';
import { type ParticipantName, participantNames } from './order.ts';
import { orderBody, type OrderPatternName, orderPatterns } from './registry.ts';

const settings = readSettings();
const entry = orderPatterns[settings.pattern as OrderPatternName];
if (!entry) throw new Error(`PB_PATTERN=${settings.pattern} is not one of ${Object.keys(orderPatterns).join(', ')}`);
const options = entry.options.parse(settings.options);

const db = createPool(settings.endpoints['orders-db'].nodes[0].url, { name: 'orders-db' });
const participants = Object.fromEntries(participantNames.map((p) => [p, settings.endpoints[p].nodes[0].url])) as Record<ParticipantName, string>;
const redisUrl = settings.endpoints.redis?.nodes[0]?.url;
const redis = redisUrl ? createClient({ url: redisUrl }) : undefined;
redis?.on('error', (err: Error) => console.error(`redis: ${err.message}`));
await redis?.connect();

const failpoints = new Failpoints(entry.failpoints, options.failpoints);
// biome-ignore lint/suspicious/noExplicitAny: each entry's create takes its own options, which `entry.options` just parsed
const orders = entry.create({ db, participants, redis, failpoints }, options as any);
await persist('starting the pattern', () => orders.start());

const inFlight = async () => ({ status: 200, body: { inFlight: await orders.inFlight() } });
const audit = async (p: ParticipantName) => {
  const res = await fetch(`${participants[p]}/audit`, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok) throw new Error(`${p} answered its audit with ${res.status}`);
  return res.json();
};

serve({
  port: settings.port,
  name: settings.name,
  health: () => ({ pattern: settings.pattern }),
  routes: [
    {
      method: 'POST',
      path: '/orders',
      handle: async (req) => {
        const order = await bodyOf(req, orderBody);
        const state = await orders.place(order);
        if (state === 'completed') return { status: 200, body: { id: order.id, state } };
        return { status: 409, body: { error: state === 'rejected' ? 'the order was refused' : 'the order was refused and undone', state } };
      },
    },
    {
      method: 'GET',
      path: '/orders/:id',
      handle: async (req) => {
        const order = await orders.get(req.params.id);
        if (!order) throw new HttpError(404, `no order ${req.params.id}`);
        return { status: 200, body: order };
      },
    },
    { method: 'GET', path: '/sagas', handle: inFlight },
    { method: 'GET', path: '/in-flight', handle: inFlight },
    {
      method: 'GET',
      path: '/audit',
      handle: async () => {
        const [list, inventory, payment, shipping] = await Promise.all([orders.orders(), audit('inventory'), audit('payment'), audit('shipping')]);
        return { status: 200, body: { orders: list, inventory, payment, shipping, ...(orders.log ? { log: await orders.log() } : {}) } };
      },
    },
    ...failpointRoutes(failpoints),
  ],
  close: () => Promise.allSettled([orders.stop(), db.end(), redis?.close()]),
});
