import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Calls `onLine(text, lineNumber)` for every non-blank line of a file, read in
 * 4 MB chunks, so a history of millions of lines is never held as one string
 * (a 2M-line history is some 300 MB of text; `split` on it doubles that).
 * Line numbers are 1-based. Throws the fs error for an unreadable file and
 * whatever `onLine` throws.
 */
export function forEachLine(path: string, onLine: (text: string, line: number) => void): void {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    // The bytes after the last newline so far: kept as bytes, since a chunk may end inside a multi-byte character.
    let carry: Buffer = Buffer.alloc(0);
    let line = 0;
    const blank = /^\s*$/;
    const emit = (piece: string) => {
      line++;
      if (piece.length > 0 && !(piece.charCodeAt(0) <= 32 && blank.test(piece))) onLine(piece, line);
    };
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      const lastNewline = buf.lastIndexOf(10, n - 1);
      if (lastNewline < 0) {
        carry = Buffer.concat([carry, buf.subarray(0, n)]);
        continue;
      }
      const text = Buffer.concat([carry, buf.subarray(0, lastNewline)]).toString('utf8');
      carry = Buffer.from(buf.subarray(lastNewline + 1, n));
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        emit(text.slice(start, end));
        start = end + 1;
      }
      emit(text.slice(start));
    }
    if (carry.length > 0) emit(carry.toString('utf8'));
  } finally {
    closeSync(fd);
  }
}
