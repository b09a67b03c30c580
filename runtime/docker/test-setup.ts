import { ensureImages } from './build-images.ts';
import { ensureEngine } from './engine.ts';

/**
 * vitest's global setup for the docker tests (the `docker` project of
 * vitest.config.ts), which vitest runs only when one of them is about to
 * run: an engine (the running one, or a dockerd it starts and, at the end,
 * stops — never one it did not start), then every image, skipping what is
 * built (the first build takes minutes; later runs seconds).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const engine = await ensureEngine();
  if (engine.started) console.log('docker tests: started dockerd; it is stopped when they end');
  try {
    await ensureImages((line) => console.log(`docker tests: ${line}`));
  } catch (err) {
    await engine.stop();
    throw err;
  }
  return () => engine.stop();
}
