import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from './free-port.ts';
import { LocalProcess } from './local-process.ts';
import { ProcessComponent } from './process-component.ts';
import { repoRoot } from './tools.ts';

/** How to start a TypeScript HTTP service as a local process. */
export interface NodeServiceOptions {
  /** Component name (`target`, `target-2`), also the log file's name. */
  name: string;
  /** The service's entry file, relative to the repository root. */
  file: string;
  /** Added to our own environment; `PORT` is set by us. */
  env?: Record<string, string>;
  /** Listen here; default a free port. */
  port?: number;
  /** Logs go to `${runDir}/logs/<name>.log`. */
  runDir: string;
  /** How long to wait for `GET /health`; default 20 000 ms. */
  readyTimeoutMs?: number;
}

/** A running service; `url` is `http://127.0.0.1:PORT`. */
export class NodeService extends ProcessComponent {
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}

// tsx's package entry is its ESM loader, the file `node --import tsx` loads;
// by absolute URL so the service resolves it whatever its own folder.
const tsxLoader = pathToFileURL(createRequire(join(repoRoot, 'package.json')).resolve('tsx')).href;

/**
 * Starts `file` under Node with tsx, with `PORT` in its environment, and
 * resolves once `GET http://127.0.0.1:PORT/health` answers 200. The service
 * must listen on 127.0.0.1:$PORT. Restart reuses the port. Throws (having
 * stopped it) if it exits or is not healthy in time.
 */
export async function startNodeService(opts: NodeServiceOptions): Promise<NodeService> {
  const port = opts.port ?? (await freePort());
  const proc = new LocalProcess({
    name: opts.name,
    command: process.execPath,
    args: ['--import', tsxLoader, join(repoRoot, opts.file)],
    env: { ...process.env, ...opts.env, PORT: String(port) },
    cwd: repoRoot,
    logFile: join(opts.runDir, 'logs', `${opts.name}.log`),
    ready: async () => (await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) })).status === 200,
    readyTimeoutMs: opts.readyTimeoutMs ?? 20_000,
    stopGraceMs: 5_000,
  });
  try {
    await proc.start();
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return new NodeService({ name: opts.name, kind: 'service', port, proc });
}
