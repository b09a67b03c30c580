/**
 * Progress on stderr: one line per case as it starts and ends, and on a TTY a
 * live line (elapsed, ops recorded, active faults) redrawn in place.
 */
export class Progress {
  private readonly tty: boolean;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(out.isTTY);
  }

  line(text: string): void {
    if (this.tty) this.out.write('\r\x1b[K');
    this.out.write(`${text}\n`);
  }

  /** Redraws the live line in place on a TTY; does nothing elsewhere (logs stay clean in CI). */
  status(text: string): void {
    if (this.tty) this.out.write(`\r\x1b[K${text}`);
  }

  /** Clears the live line. */
  clear(): void {
    if (this.tty) this.out.write('\r\x1b[K');
  }
}
