import { createWriteStream, readFileSync } from 'node:fs';
import type Dockerode from 'dockerode';
import type { Component, Killable, Pausable } from '../component.ts';
import type { ComponentKind } from '../topology.ts';

/** What a `ContainerComponent` is made of. */
export interface ContainerComponentParts {
  name: string;
  kind: ComponentKind;
  /** Where the host reaches it: its port published on 127.0.0.1. */
  port: number;
  container: Dockerode.Container;
  /** Resolves once the component answers again (after a restart); throws if it does not. */
  ready: () => Promise<void>;
  /** Its output (stdout and stderr, across restarts) is appended here; absent: not kept. */
  logFile?: string;
}

/**
 * A `Component` backed by one container, whoever started it (the docker
 * runtime, or docker-compose). `host:port` is where the host reaches it
 * (published on 127.0.0.1); on its Docker network it is reached only
 * through links. kill is `docker kill` (SIGKILL); restart is `docker
 * restart` (the image's stop signal, up to 10 s, then a start on the same
 * filesystem, so the same data), resolving once it is ready; pause and
 * resume freeze and thaw its cgroup (`docker pause`). `stop()` is final: the
 * stop signal, SIGKILL after 3 s, then it removes the container and its
 * anonymous volumes. `pid` is its main
 * process's id where the engine shares this machine's kernel (the sampler
 * reads its CPU and memory), else undefined.
 */
export class ContainerComponent implements Component, Killable, Pausable {
  readonly host = '127.0.0.1';
  readonly name: string;
  readonly kind: ComponentKind;
  readonly port: number;
  pid: number | undefined;
  private readonly container: Dockerode.Container;
  private readonly ready: () => Promise<void>;
  private readonly logFile: string | undefined;
  private stopping: Promise<void> | undefined;

  constructor(parts: ContainerComponentParts) {
    ({ name: this.name, kind: this.kind, port: this.port, container: this.container, ready: this.ready, logFile: this.logFile } = parts);
  }

  /** The container's id. */
  get id(): string {
    return this.container.id;
  }

  /** Appends the container's output since `sinceSeconds` (Unix time) to the log file until it stops, and reads its pid. */
  async follow(sinceSeconds = 0): Promise<void> {
    if (this.logFile) {
      const stream = await this.container.logs({ follow: true, stdout: true, stderr: true, since: sinceSeconds });
      const file = createWriteStream(this.logFile, { flags: 'a' });
      this.container.modem.demuxStream(stream, file, file);
      stream.on('end', () => file.end());
    }
    this.pid = await this.localPid();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.resume().catch(() => undefined); // a frozen container cannot take its stop signal
      // 3 s of grace, as the local runtime gives: an etcd leader whose peers are stopping with it spends its 10 s on
      // handing leadership over to nobody, and the data goes with the container anyway.
      await this.container.stop({ t: 3 }).catch(ignore(304, 404));
      await this.container.remove({ v: true, force: true }).catch(ignore(404));
      this.pid = undefined;
    })();
    return this.stopping;
  }

  async kill(): Promise<void> {
    await this.container.kill({ signal: 'SIGKILL' });
    this.pid = undefined;
  }

  async restart(): Promise<void> {
    await this.container.restart({ t: 10 });
    const startedAt = (await this.container.inspect()).State.StartedAt;
    await this.ready();
    await this.follow(Date.parse(startedAt) / 1000);
  }

  /** `running`, `paused`, `exited` (killed) …: Docker's word for the container's state. */
  async state(): Promise<string> {
    return (await this.container.inspect()).State.Status;
  }

  async pause(): Promise<void> {
    await this.container.pause();
  }

  async resume(): Promise<void> {
    if ((await this.container.inspect()).State.Paused) await this.container.unpause();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** The main process's pid if this machine's /proc shows it inside this very container (a local engine), else undefined. */
  private async localPid(): Promise<number | undefined> {
    const pid = (await this.container.inspect()).State.Pid;
    try {
      return pid > 0 && readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(this.id) ? pid : undefined;
    } catch {
      return undefined;
    }
  }
}

/** A catch handler that swallows the Docker API answers `codes` (304 not modified: already stopped; 404: already gone). */
function ignore(...codes: number[]) {
  return (err: { statusCode?: number }) => {
    if (!codes.includes(err.statusCode ?? 0)) throw err;
  };
}
