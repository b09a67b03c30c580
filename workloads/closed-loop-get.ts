/**
 * A closed loop of GETs of one URL: VUS virtual users, each sending its next
 * request as soon as the last is answered, for DURATION. For maximum
 * throughput comparisons: the load adapts to the server, so the figure is
 * what the server sustains at that concurrency (an open model at a fixed rate
 * would measure the chosen rate, or an ever-growing queue). Records no
 * history. Env: URL (required), VUS (8), DURATION ('5s'), TIMEOUT ('2s').
 */
import http from 'k6/http';

const url = __ENV.URL;
if (!url) throw new Error('URL is not set');
const timeout = __ENV.TIMEOUT || '2s';

export const options = {
  scenarios: {
    loop: { executor: 'constant-vus', vus: Number(__ENV.VUS || 8), duration: __ENV.DURATION || '5s', gracefulStop: '2s' },
  },
  // Bodies are not looked at; skipping them keeps k6's own CPU use down on a shared machine.
  discardResponseBodies: true,
};

export default function (): void {
  http.get(url, { timeout });
}
