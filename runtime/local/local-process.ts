import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { track, signalGroup, waitGroupGone } from './supervisor.ts';

/** How to start one local process. */
export interface ProcessSpec {
  /** Shown in errors and logs: `redis`, `postgres-replica-1`. */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** Run as this user (PostgreSQL refuses root). */
  uid?: number;
  gid?: number;
  /** Resolves once the process serves; polled until `readyTimeoutMs`. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** Signal for a graceful stop; SIGKILL follows after `stopGraceMs`. */
  stopSignal?: NodeJS.Signals;
  stopGraceMs?: number;
}

/** How a process that was serving ended without being asked to: its exit code, or the signal that ended it. */
export interface UnplannedExit {
  pid: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A child process with a lifecycle: start (waits for readiness), stop
 * (graceful, then SIGKILL), kill (-9), pause (SIGSTOP), resume (SIGCONT),
 * restart (same spec: same port, same data). Signals go to the whole process
 * group. Tracked by the supervisor, so it never outlives us.
 *
 * It knows whether an exit was asked for: one after it was ready and before
 * any `stop`, `kill` or `restart` (a crash, an OOM kill, `kill -9` from
 * outside) is told to the `onUnplannedExit` listeners.
 */
export class LocalProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<unknown> = Promise.resolve();
  /** True from the moment it was ready until an exit was asked for. */
  private serving = false;
  private readonly exitListeners = new Set<(exit: UnplannedExit) => void>();

  constructor(readonly spec: ProcessSpec) {}

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined; // a child killed by a signal has exitCode null too
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Calls `listener` whenever the process exits while serving without being asked to; returns an unsubscribe. */
  onUnplannedExit(listener: (exit: UnplannedExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Spawns and waits until `ready()`; throws with the log's tail if it dies or times out. */
  async start(): Promise<this> {
    const { spec } = this;
    mkdirSync(dirname(spec.logFile), { recursive: true });
    const log = createWriteStream(spec.logFile, { flags: 'a' });
    await once(log, 'open');
    const child = spawn(spec.command, spec.args, {
      env: spec.env ?? process.env,
      cwd: spec.cwd,
      uid: spec.uid,
      gid: spec.gid,
      detached: true,
      stdio: ['ignore', log, log],
    });
    this.child = child;
    track(child);
    // The moment the leader exits, the rest of its group goes too (a helper
    // it started, as tsx's esbuild), whoever ends it: stop, kill, or a crash.
    // Its group id cannot have been reused while a member is still alive.
    this.exited = once(child, 'exit')
      .catch(() => undefined)
      .then(() => {
        signalGroup(child, 'SIGKILL');
        if (this.child === child && this.serving) {
          this.serving = false;
          const exit = { pid: child.pid!, exitCode: child.exitCode, signal: child.signalCode };
          for (const listener of this.exitListeners) listener(exit);
        }
      })
      .catch(() => undefined); // a group we may not signal is left to waitGroupGone's report
    void this.exited.then(() => log.end()); // one log descriptor a start, closed with its process
    const spawnError = once(child, 'error').then(([err]) => {
      throw new Error(`${spec.name}: cannot start ${spec.command}: ${(err as Error).message}`);
    });
    spawnError.catch(() => undefined);
    await Promise.race([this.waitReady(), spawnError]);
    this.serving = this.running;
    return this;
  }

  private async waitReady(): Promise<void> {
    const { spec } = this;
    const deadline = Date.now() + (spec.readyTimeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${spec.name} exited before it was ready (code ${this.child?.exitCode}); see ${spec.logFile}${logTail(spec.logFile)}`);
      if (await spec.ready().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.kill();
    throw new Error(`${spec.name} was not ready after ${spec.readyTimeoutMs ?? 30_000} ms; see ${spec.logFile}`);
  }

  /** Graceful stop (SIGKILL after the grace period), then waits until nothing of its process group runs, also when the leader had exited by itself; idempotent. */
  async stop(): Promise<void> {
    this.serving = false;
    const child = this.child;
    if (!child) return;
    if (this.running) {
      signalGroup(child, 'SIGCONT');
      signalGroup(child, this.spec.stopSignal ?? 'SIGTERM');
      const grace = new Promise((r) => setTimeout(r, this.spec.stopGraceMs ?? 5_000).unref());
      if ((await Promise.race([this.exited.then(() => 'exited'), grace])) !== 'exited') signalGroup(child, 'SIGKILL');
    }
    await this.groupGone(child);
  }

  /** kill -9 the process group and wait until nothing of it runs. */
  async kill(): Promise<void> {
    this.serving = false;
    const child = this.child;
    if (!child) return;
    if (this.running) {
      signalGroup(child, 'SIGKILL');
      signalGroup(child, 'SIGCONT');
    }
    await this.groupGone(child);
  }

  /** Waits for the leader's exit (which SIGKILLs the rest of its group) and, bounded, for the group to be gone; then forgets the child, so a later stop never waits on a group id since reused. */
  private async groupGone(child: ChildProcess): Promise<void> {
    await this.exited;
    if (child.pid !== undefined && !(await waitGroupGone(child.pid)))
      console.error(`${this.spec.name}: process group ${child.pid} still runs 5 s after its leader exited`);
    if (this.child === child) this.child = undefined;
  }

  /** SIGSTOP the process group: it holds its sockets but answers nothing. */
  async pause(): Promise<void> {
    if (this.child && this.running) signalGroup(this.child, 'SIGSTOP');
  }

  /** SIGCONT the process group. */
  async resume(): Promise<void> {
    if (this.child && this.running) signalGroup(this.child, 'SIGCONT');
  }

  /** Starts again from the same spec (same port, same data dir) after a kill or stop. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

/** The last lines of a log, indented, to go into an error: the log may sit in a temp dir that cleanup removes. */
function logTail(file: string, lines = 8): string {
  try {
    const tail = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines);
    return tail.length && tail[0] ? `; its last lines:\n${tail.map((l) => `  ${l.slice(0, 300)}`).join('\n')}` : '';
  } catch {
    return '';
  }
}
