/** An order as a client places it: `id` is its idempotency key. `card: 'declined'` is a card the payment service declines; `address: 'nowhere'` one shipping cannot deliver to. */
export interface Order {
  id: string;
  sku: string;
  qty: number;
  amount: number;
  card: string;
  address: string;
}

/** Where an order stands: under way, done with all its effects, refused at its first step (no effects), or undone (its effects compensated). */
export type OrderState = 'pending' | 'completed' | 'rejected' | 'compensated';

/** What `GET /orders/:id` answers. */
export interface OrderView {
  id: string;
  state: OrderState;
  /** While pending: the step under way (`reserve`, `compensate charge` …). */
  step?: string;
  createdAtMs: number;
  finishedAtMs?: number;
}

/** The three participants, each a service with its own database, in the saga's order. */
export const participantNames = ['inventory', 'payment', 'shipping'] as const;
export type ParticipantName = (typeof participantNames)[number];

/** An order in flight as `GET /sagas` lists it. */
export interface OrderInFlight {
  id: string;
  state: 'running' | 'compensating' | 'pending';
  step: string;
  attempts?: number;
  sinceMs?: number;
}

/** What every order pattern offers the order service's routes. */
export interface OrderPattern {
  start(): Promise<void>;
  /** Places the order and resolves with how it ended; throws if it may or may not have been placed (a 503). */
  place(order: Order): Promise<OrderState>;
  get(id: string): Promise<OrderView | undefined>;
  /** Orders under way, each with its current step; for a choreography also the events not yet handled. */
  inFlight(): Promise<OrderInFlight[]>;
  /** Every order, for the audit. */
  orders(): Promise<OrderView[]>;
  /** The saga log's event trail, when there is one. */
  log?(): Promise<unknown>;
  stop(): Promise<void>;
}
