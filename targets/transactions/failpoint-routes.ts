import { bodyOf, HttpError, type Route } from '../kit/http.ts';
import { failpointSetting, type Failpoints } from './failpoints.ts';

/**
 * Failpoints over HTTP, for tests that need a process held at an exact point
 * of its protocol: `GET /failpoints` (each point's setting and how many
 * passes wait there now), `PUT /failpoints/:name` `{ pauseMs, times? }`,
 * `DELETE /failpoints/:name`. Settings made here die with the process, so a
 * restarted coordinator recovers unhindered.
 */
export function failpointRoutes(failpoints: Failpoints): Route[] {
  return [
    { method: 'GET', path: '/failpoints', handle: async () => ({ status: 200, body: failpoints.state() }) },
    {
      method: 'PUT',
      path: '/failpoints/:name',
      handle: async (req) => {
        const setting = await bodyOf(req, failpointSetting);
        try {
          failpoints.set(req.params.name, setting);
        } catch (err) {
          throw new HttpError(404, (err as Error).message);
        }
        return { status: 200, body: failpoints.state() };
      },
    },
    {
      method: 'DELETE',
      path: '/failpoints/:name',
      handle: async (req) => {
        failpoints.clear(req.params.name);
        return { status: 204 };
      },
    },
  ];
}
