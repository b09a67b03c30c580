/**
 * A participant service of the order saga — `inventory`, `payment` or
 * `shipping`, by its component name — on its own database (`<name>-db`).
 * The orchestrator calls it over HTTP; in the choreography (its topology
 * gives it Redis) it also reacts to the `order-events` stream in a consumer
 * group of its own name.
 *
 *   POST /orders/:id      Order → 200 { applied: true } | 409 { error } (refused: never applied)
 *   POST /orders/:id/undo Order → 200 { result: 'undone' | 'voided' | 'nothing-to-undo' }
 *   GET  /audit           → 200 { records, stock? }
 */
import { createClient } from 'redis';
import { bodyOf, HttpError, serve } from '../../kit/http.ts';
import { readSettings } from '../../kit/world.ts';
import { EventBus } from '../event-bus.ts';
import { inTransaction } from '../pg.ts';
import { createPool } from '../pools.ts';
import { persist, retryPolicy } from '../retry.ts';
import { orderBody, orderStream } from './registry.ts';
import { type ParticipantName, participantNames } from './order.ts';
import { Participant } from './participant.ts';

const settings = readSettings();
const name = settings.name as ParticipantName;
if (!participantNames.includes(name)) throw new Error(`PB_NAME=${settings.name} is not one of ${participantNames.join(', ')}`);
const options = settings.options as { skus: number; initialStock: number; retry?: unknown };

const db = createPool(settings.endpoints[`${name}-db`].nodes[0].url, { name: `${name}-db` });
const participant = new Participant(name);
await persist(`preparing ${name}-db`, () => participant.prepare(db, options));

const redisUrl = settings.endpoints.redis?.nodes[0]?.url;
const redis = redisUrl ? createClient({ url: redisUrl }) : undefined;
redis?.on('error', (err: Error) => console.error(`redis: ${err.message}`));
await redis?.connect();
const bus = redis ? new EventBus(redis, db, { stream: orderStream, group: name, consumer: name, retry: retryPolicy.parse(options.retry ?? {}) }) : undefined;
if (bus) await persist('starting the event bus', () => bus.start((event, c) => participant.react(event, c!)));

serve({
  port: settings.port,
  name: settings.name,
  health: () => ({ participant: name, events: Boolean(bus) }),
  routes: [
    {
      method: 'POST',
      path: '/orders/:id',
      handle: async (req) => {
        const order = await bodyOf(req, orderBody);
        if (order.id !== req.params.id) throw new HttpError(400, `the body's id ${order.id} is not the path's ${req.params.id}`);
        const answer = await inTransaction(db, (c) => participant.apply(c, order));
        return answer.applied ? { status: 200, body: { applied: true } } : { status: 409, body: { error: answer.reason } };
      },
    },
    {
      method: 'POST',
      path: '/orders/:id/undo',
      handle: async (req) => {
        const order = await bodyOf(req, orderBody);
        if (order.id !== req.params.id) throw new HttpError(400, `the body's id ${order.id} is not the path's ${req.params.id}`);
        return { status: 200, body: { result: await inTransaction(db, (c) => participant.undo(c, order)) } };
      },
    },
    { method: 'GET', path: '/audit', handle: async () => ({ status: 200, body: await participant.audit(db) }) },
  ],
  close: () => Promise.allSettled([bus?.stop(), db.end(), redis?.close()]),
});
