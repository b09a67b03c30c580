import { rmSync } from 'node:fs';
import type { Component, Killable, Pausable } from '../component.ts';
import type { ComponentKind } from '../topology.ts';
import type { LocalProcess, UnplannedExit } from './local-process.ts';

/** What a `ProcessComponent` is made of. */
export interface ProcessComponentParts {
  name: string;
  kind: ComponentKind;
  port: number;
  proc: LocalProcess;
  /** Runs after the process stopped for good. */
  cleanup?: () => void;
  /** The temp dir holding its data, removed by `stop()`; recorded so `stopLeftovers` can remove it after a crash. */
  dataDir?: string;
}

/**
 * A `Component` backed by one `LocalProcess`: kill/restart/pause/resume act
 * on its process group. `stop()` is final: it stops the process, then runs
 * `cleanup` and removes `dataDir` (its temp data dir, if it has one). `pid` is the current process
 * id (undefined while it is not running); `onPidChange` listeners hear of
 * every restart so `pids.json` stays true.
 */
export class ProcessComponent implements Component, Killable, Pausable {
  readonly host = '127.0.0.1';
  readonly name: string;
  readonly kind: ComponentKind;
  readonly port: number;
  readonly dataDir: string | undefined;
  protected readonly proc: LocalProcess;
  private readonly cleanup: () => void;
  private readonly pidListeners = new Set<(pid: number | undefined) => void>();

  constructor(parts: ProcessComponentParts) {
    ({ name: this.name, kind: this.kind, port: this.port, proc: this.proc, dataDir: this.dataDir } = parts);
    this.cleanup = parts.cleanup ?? (() => undefined);
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Calls `listener` when its process exits on its own (not by stop, kill or restart); returns an unsubscribe. */
  onUnplannedExit(listener: (exit: UnplannedExit) => void): () => void {
    return this.proc.onUnplannedExit(listener);
  }

  /** Calls `listener` with the new pid after every restart; returns an unsubscribe. */
  onPidChange(listener: (pid: number | undefined) => void): () => void {
    this.pidListeners.add(listener);
    return () => this.pidListeners.delete(listener);
  }

  async stop(): Promise<void> {
    await this.proc.stop();
    this.cleanup();
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  async kill(): Promise<void> {
    await this.proc.kill();
  }

  /** Starts the process again on the same port and data; throws as `LocalProcess.start` does. */
  async restart(): Promise<void> {
    try {
      await this.proc.restart();
    } finally {
      for (const listener of this.pidListeners) listener(this.pid);
    }
  }

  async pause(): Promise<void> {
    await this.proc.pause();
  }

  async resume(): Promise<void> {
    await this.proc.resume();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
