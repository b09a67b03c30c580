import { parseEDNString } from 'edn-data';
import type { Op } from './op.ts';
import { HistoryError, maxNesting, validateOps, type RawOp } from './parse.ts';

/** One EDN form found by the scanner: where it starts and ends, and the forms directly inside it. */
interface Form {
  start: number;
  end: number;
  line: number;
  /** The opening delimiter for collections (`{`, `[`, `(`, `#{`), `''` for atoms, strings and tagged values. */
  open: string;
  children: Form[];
}

const CLOSERS: Record<string, string> = { '{': '}', '[': ']', '(': ')', '#{': '}' };
const NAMES: Record<string, string> = { '{': 'map', '[': 'vector', '(': 'list', '#{': 'set' };

/**
 * Parses a Jepsen EDN history into validated ops. Both forms Jepsen tools
 * write are read: `history.edn` with one op map a line, and a file holding a
 * single vector of op maps (Knossos' sample data). Keywords become strings,
 * `nil` null, vectors and lists arrays. Pure; throws `HistoryError` with the
 * line where the offending op map starts.
 */
export function parseEdn(text: string, file: string): Op[] {
  // edn-data is lenient with broken input (`{:a 1` parses as null, a
  // dangling key is dropped), so a small scanner checks the structure and
  // finds where each op starts; edn-data then decodes one op at a time.
  const items = opForms(text, file);
  const raws: RawOp[] = items.map((form) => {
    if (form.open !== '{')
      throw new HistoryError(
        file,
        form.line,
        `expected an op map {:process … :type … :f …}, got ${text.slice(form.start, Math.min(form.end, form.start + 40))}`,
      );
    let fields: unknown;
    try {
      fields = parseEDNString(text.slice(form.start, form.end), {
        mapAs: 'object',
        keywordAs: 'string',
        symbolAs: 'string',
        charAs: 'string',
        listAs: 'array',
        setAs: 'array',
      });
    } catch (err) {
      throw new HistoryError(file, form.line, `malformed EDN (${(err as Error).message})`);
    }
    return { fields: plain(fields, file, form.line) as Record<string, unknown>, line: form.line };
  });
  return validateOps(raws, file);
}

/** The line each op of an EDN history starts on, in order (what `parseEdn` returns one op for). Throws as `parseEdn` does. */
export function ednOpLines(text: string, file: string): number[] {
  return opForms(text, file).map((form) => form.line);
}

/** The forms that are the history's ops: the top-level forms, or the items of a single top-level vector. */
function opForms(text: string, file: string): Form[] {
  const top = new Scanner(text, file).forms();
  if (top.length > 0 && (top[0].open === '[' || top[0].open === '(')) {
    if (top.length > 1) throw new HistoryError(file, top[1].line, 'expected nothing after the vector of ops');
    return top[0].children;
  }
  return top;
}

/** edn-data yields bigints for `12N` and very large integers; histories hold JSON numbers. */
function plain(v: unknown, file: string, line: number): unknown {
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
      throw new HistoryError(file, line, `integer ${v} is beyond what a history number can hold exactly`);
    return Number(v);
  }
  if (Array.isArray(v)) return v.map((x) => plain(x, file, line));
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x, file, line)]));
  }
  return v;
}

/** A just-enough EDN reader: balanced delimiters, strings, chars, comments, `#_` discards and tags; values are left to edn-data. */
class Scanner {
  private pos = 0;
  private line = 1;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  forms(): Form[] {
    const out: Form[] = [];
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length) return out;
      const c = this.text[this.pos];
      if (c === ']' || c === '}' || c === ')') throw this.error(this.line, `unexpected "${c}" with nothing open`);
      const form = this.form();
      if (form) out.push(form);
    }
  }

  private error(line: number, detail: string): HistoryError {
    return new HistoryError(this.file, line, `malformed EDN: ${detail}`);
  }

  private skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === '\n') this.line++;
      if (c === ';') {
        while (this.pos < t.length && t[this.pos] !== '\n') this.pos++;
      } else if (c === ' ' || c === ',' || c === '\t' || c === '\r' || c === '\n') {
        this.pos++;
      } else {
        return;
      }
    }
  }

  /**
   * Reads one form at `pos`; returns undefined for a `#_` discard. Each
   * level of nesting (a collection, a tag, a discard) is a call, so depth is
   * counted: 100,000 `[` would overflow the stack with no line to name.
   */
  private form(): Form | undefined {
    if (++this.depth > maxNesting) throw this.error(this.line, `nested more than ${maxNesting} deep; expected op maps of small values`);
    try {
      return this.read();
    } finally {
      this.depth--;
    }
  }

  private read(): Form | undefined {
    const t = this.text;
    const start = this.pos;
    const line = this.line;
    const c = t[start];
    if (c === '#' && t[start + 1] === '_') {
      this.pos += 2;
      this.required(line, '#_');
      return undefined;
    }
    const open = c === '#' && t[start + 1] === '{' ? '#{' : c === '{' || c === '[' || c === '(' ? c : '';
    if (open) {
      this.pos += open.length;
      const children: Form[] = [];
      for (;;) {
        this.skipSpace();
        if (this.pos >= t.length) throw this.error(line, `${NAMES[open]} opened here is never closed`);
        const d = t[this.pos];
        if (d === ']' || d === '}' || d === ')') {
          if (d !== CLOSERS[open]) throw this.error(this.line, `"${d}" closes the ${NAMES[open]} opened at line ${line}; expected "${CLOSERS[open]}"`);
          this.pos++;
          break;
        }
        const child = this.form();
        if (child) children.push(child);
      }
      if (open === '{' && children.length % 2 === 1) throw this.error(line, `map has a key without a value`);
      return { start, end: this.pos, line, open, children };
    }
    if (c === '"') {
      this.pos++;
      while (this.pos < t.length && t[this.pos] !== '"') {
        if (t[this.pos] === '\n') this.line++;
        this.pos += t[this.pos] === '\\' ? 2 : 1;
      }
      if (this.pos >= t.length) throw this.error(line, 'string opened here is never closed');
      this.pos++;
      return { start, end: this.pos, line, open: '', children: [] };
    }
    if (c === '#') {
      // A tagged value (`#inst "…"`): the tag and the form it tags are one value.
      this.token();
      this.required(line, t.slice(start, this.pos));
      return { start, end: this.pos, line, open: '', children: [] };
    }
    // edn-data misreads char literals of delimiters (`\]`, `\(`): refuse them rather than decode a wrong value.
    if (c === '\\' && ' \t\r\n,;"{}[]()'.includes(t[start + 1] ?? ' '))
      throw this.error(line, `char literal "${t.slice(start, start + 2)}" is not supported; write it as a string`);
    this.token();
    return { start, end: this.pos, line, open: '', children: [] };
  }

  private required(line: number, after: string): void {
    this.skipSpace();
    if (this.pos >= this.text.length || ']})'.includes(this.text[this.pos]) || !this.form()) {
      throw this.error(line, `expected a value after ${after}`);
    }
  }

  private token(): void {
    const t = this.text;
    this.pos++;
    while (this.pos < t.length && !' \t\r\n,;"{}[]()'.includes(t[this.pos])) this.pos++;
  }
}

const KEYWORD = /^[A-Za-z*!_?<>=][A-Za-z0-9*+!_?<>=.\-/]*$|^[-+.]([A-Za-z*!_?<>=.\-+][A-Za-z0-9*+!_?<>=.\-/]*)?$/;

/**
 * Writes ops as Jepsen's `history.edn`: one op map a line, `type`, `f` and
 * the nemesis process as keywords, object keys as keywords where EDN allows.
 * Pure. `parseEdn(writeEdn(ops))` gives back `ops`.
 */
export function writeEdn(ops: readonly Op[]): string {
  return ops
    .map((op) => {
      const entries = Object.entries(op).map(([k, v]) => {
        const asKeyword = k === 'type' || k === 'f' || (k === 'process' && v === 'nemesis');
        return `${key(k)} ${asKeyword ? keywordOrString(v as string) : value(v)}`;
      });
      return `{${entries.join(', ')}}\n`;
    })
    .join('');
}

function key(k: string): string {
  return KEYWORD.test(k) ? `:${k}` : JSON.stringify(k);
}

function keywordOrString(s: string): string {
  return KEYWORD.test(s) ? `:${s}` : JSON.stringify(s);
}

function value(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(value).join(' ')}]`;
  if (typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${key(k)} ${value(x)}`)
      .join(', ')}}`;
  throw new TypeError(`cannot write ${typeof v} as EDN`);
}
