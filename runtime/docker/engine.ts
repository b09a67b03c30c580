import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const socket = '/var/run/docker.sock';
const pidFile = '/var/run/docker.pid';

/** A Docker engine the tests use: one that was running, or one `ensureEngine` started (and `stop` stops). */
export interface Engine {
  /** True when `ensureEngine` started it. */
  readonly started: boolean;
  /** Stops the engine if `ensureEngine` started it (SIGTERM, then waits up to 30 s for it and its containerd to exit); otherwise does nothing. */
  stop(): Promise<void>;
}

/** Whether an engine answers `GET /_ping` on the default socket (or DOCKER_HOST's unix socket) within `timeoutMs`. */
export function engineAnswers(timeoutMs = 2_000): Promise<boolean> {
  const path = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice('unix://'.length) : socket;
  if (process.env.DOCKER_HOST && !process.env.DOCKER_HOST.startsWith('unix://')) return Promise.resolve(true); // a remote engine is the user's to run
  return new Promise((resolve) => {
    const req = request({ socketPath: path, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Makes sure a Docker engine answers on /var/run/docker.sock: uses the one
 * that runs, or starts `dockerd` (root only) with published ports bound to
 * 127.0.0.1 unless told otherwise (`--ip`), logging to
 * `$TMPDIR/patternbench-dockerd.log`, and waits up to 60 s for it. Throws a
 * one-line reason when there is none and it cannot start one (not root,
 * dockerd not installed, it did not answer). A stale pid file of a dockerd
 * that is gone is removed first, as dockerd would otherwise refuse to start.
 */
export async function ensureEngine(): Promise<Engine> {
  if (await engineAnswers()) return { started: false, stop: async () => undefined };
  const cannot = (why: string) => new Error(`no Docker engine answers on ${socket} and none can be started here: ${why}`);
  if (process.getuid?.() !== 0) throw cannot('starting dockerd needs root');
  const dockerd = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((p) => existsSync(p));
  if (!dockerd) throw cannot('dockerd is not installed (npm run setup installs docker.io)');
  if (existsSync(pidFile) && !alive(Number(readFileSync(pidFile, 'utf8').trim()))) rmSync(pidFile, { force: true });
  const log = join(tmpdir(), 'patternbench-dockerd.log');
  const out = openSync(log, 'a');
  const child = spawn(dockerd, ['--ip=127.0.0.1'], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  const deadline = Date.now() + 60_000;
  while (!(await engineAnswers(1_000))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGTERM');
      throw cannot(`dockerd ${child.exitCode !== null ? `exited with code ${child.exitCode}` : 'did not answer within 60 s'} (see ${log})`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { started: true, stop: () => stopDockerd(child) };
}

async function stopDockerd(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000).unref())]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
