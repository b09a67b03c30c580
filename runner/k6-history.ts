import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import type { HistoryWriter } from '../history/writer.ts';
import type { OpType } from '../history/op.ts';

const opTypes = new Set<OpType>(['invoke', 'ok', 'fail', 'info']);

/**
 * Follows k6's `--console-output` file while k6 runs and appends each client
 * op line to the run's history as it appears, so a run that dies keeps what
 * its clients saw. k6 writes console lines in call order, and the workload
 * logs an invoke before sending and a completion after the response, so the
 * file order is a sound real-time order; we keep it.
 *
 * A line's `wallMs` (k6 has only millisecond `Date.now()`) becomes `time` in
 * ns since the run's start. Lines that are not ops (a script's own logging)
 * are counted and skipped, never guessed into ops.
 */
export class K6HistoryTail {
  private fd: number | undefined;
  private offset = 0;
  private partial = '';
  private timer: NodeJS.Timeout | undefined;
  /** Lines that were not history ops. */
  skipped = 0;

  constructor(
    private readonly consolePath: string,
    private readonly history: HistoryWriter,
    private readonly runStartWallMs: number,
  ) {}

  /** Starts polling every `intervalMs`. */
  start(intervalMs = 100): void {
    this.timer = setInterval(() => this.drain(), intervalMs);
  }

  /** Reads whatever k6 has written since the last call and appends complete lines. */
  drain(): void {
    if (this.fd === undefined) {
      try {
        this.fd = openSync(this.consolePath, 'r');
      } catch {
        return; // k6 has not created it yet
      }
    }
    const size = fstatSync(this.fd).size;
    if (size <= this.offset) return;
    const buf = Buffer.alloc(size - this.offset);
    const n = readSync(this.fd, buf, 0, buf.length, this.offset);
    this.offset += n;
    const text = this.partial + buf.subarray(0, n).toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.appendLine(line);
  }

  /** Final drain (including an unterminated last line) and close. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.drain();
    if (this.partial) this.appendLine(this.partial);
    this.partial = '';
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private appendLine(line: string): void {
    if (!line.trim()) return;
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(line);
    } catch {
      this.skipped++;
      return;
    }
    if (typeof raw !== 'object' || raw === null || !opTypes.has(raw.type as OpType) || typeof raw.f !== 'string' || typeof raw.process !== 'number') {
      this.skipped++;
      return;
    }
    const { wallMs, ...op } = raw;
    const timeNs = typeof wallMs === 'number' ? Math.max(0, (wallMs - this.runStartWallMs) * 1e6) : 0;
    this.history.append({ ...op, time: timeNs } as Parameters<HistoryWriter['append']>[0]);
  }
}
