/**
 * The consistency family's HTTP service: routes that translate HTTP to the
 * pattern named by `PB_PATTERN` (from `patterns.ts`) and back. Every answer
 * names the node that served it.
 *
 *   GET  /kv/:k                             → 200 { key, value, node }   (a register: string | null; a counter: number; a set: sorted strings)
 *   PUT  /kv/:k       { value: string }     → 200 { key, node }
 *   POST /kv/:k/cas   { from: string | null, to: string } → 200 { key, node } | 409 { error, node } (the value was not `from`)
 *   POST /kv/:k/incr                        → 200 { key, node, value?, … }   (counters: the lock and multi-leader patterns)
 *   POST /kv/:k/add   { element: string }   → 200 { key, node }               (sets: the multi-leader patterns)
 *   an operation the pattern does not have → 400; a store error, or no answer within 5 s → 503 { error }
 */
import { z } from 'zod';
import { bodyOf, HttpError, serve } from '../kit/http.ts';
import { readSettings } from '../kit/world.ts';
import type { ConsistencyPattern } from './api.ts';
import { type ConsistencyPatternName, consistencyPatterns } from './patterns.ts';

const settings = readSettings();
const entry = consistencyPatterns[settings.pattern as ConsistencyPatternName];
if (!entry) throw new Error(`PB_PATTERN=${settings.pattern} is not one of ${Object.keys(consistencyPatterns).join(', ')}`);
const options = entry.options.parse(settings.options);
const store: ConsistencyPattern = await entry.create(settings, options as never);

const putBody = z.object({ value: z.string() });
const casBody = z.object({ from: z.string().nullable(), to: z.string() });
const addBody = z.object({ element: z.string() });

/** The pattern's operation, or 400 when it has none: a register pattern has no counters. */
function operation<K extends 'write' | 'cas' | 'incr' | 'add'>(name: K): NonNullable<ConsistencyPattern[K]> {
  const op = store[name];
  if (!op) throw new HttpError(400, `${settings.pattern} has no ${name}`);
  return op.bind(store) as NonNullable<ConsistencyPattern[K]>;
}

serve({
  port: settings.port,
  name: settings.name,
  // Longer than a lock's wait plus its work plus a pause past a lease: an answer the client still waits for (its own timeout decides).
  deadlineMs: 5_000,
  health: () => ({ pattern: settings.pattern, ...(store.role ? { role: store.role } : {}), ...store.health?.() }),
  routes: [
    {
      method: 'GET',
      path: '/kv/:key',
      handle: async ({ params: { key } }) => ({ status: 200, body: { key, ...(await store.read(key)) } }),
    },
    {
      method: 'PUT',
      path: '/kv/:key',
      handle: async (req) => {
        const { value } = await bodyOf(req, putBody);
        return { status: 200, body: { key: req.params.key, ...(await operation('write')(req.params.key, value)) } };
      },
    },
    {
      method: 'POST',
      path: '/kv/:key/cas',
      handle: async (req) => {
        const { from, to } = await bodyOf(req, casBody);
        const { swapped, node } = await operation('cas')(req.params.key, from, to);
        if (!swapped) return { status: 409, body: { error: `${req.params.key} was not ${JSON.stringify(from)}`, node } };
        return { status: 200, body: { key: req.params.key, node } };
      },
    },
    {
      method: 'POST',
      path: '/kv/:key/incr',
      handle: async ({ params: { key } }) => ({ status: 200, body: { key, ...(await operation('incr')(key)) } }),
    },
    {
      method: 'POST',
      path: '/kv/:key/add',
      handle: async (req) => {
        const { element } = await bodyOf(req, addBody);
        return { status: 200, body: { key: req.params.key, ...(await operation('add')(req.params.key, element)) } };
      },
    },
    ...(store.routes ?? []),
  ],
  close: () => store.close(),
});
