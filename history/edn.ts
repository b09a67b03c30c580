import { createRequire } from 'node:module';
import type { Op } from './op.ts';
import { HistoryError, maxNesting, validateOps, type RawOp } from './parse.ts';

/**
 * edn-data's decoder, loaded on first use: a history of plain data (every
 * Jepsen history seen so far, and every JSONL one) never needs it, and
 * loading it was a few ms of a small `patternbench check`'s start-up.
 */
let ednData: typeof import('edn-data') | undefined;
const parseEDNString: typeof import('edn-data')['parseEDNString'] = (text, options) =>
  (ednData ??= createRequire(import.meta.url)('edn-data') as typeof import('edn-data')).parseEDNString(text, options);

/** One EDN form found by the scanner: where it starts and ends, and the forms directly inside it. */
interface Form {
  start: number;
  end: number;
  line: number;
  /** The opening delimiter for collections (`{`, `[`, `(`, `#{`), `''` for atoms, strings and tagged values. */
  open: string;
  /** For a tagged value (`#jepsen.history.Op{…}`), the tag without `#`; its one child is the tagged form. */
  tag?: string;
  /** The forms directly inside, for a top-level collection or a tag only: deeper ones are checked and dropped, so a history's every element is not held twice. */
  children: Form[];
}

const CLOSERS: Record<string, string> = { '{': '}', '[': ']', '(': ')', '#{': '}' };
const NAMES: Record<string, string> = { '{': 'map', '[': 'vector', '(': 'list', '#{': 'set' };

/**
 * Parses a Jepsen EDN history into validated ops. Both forms Jepsen tools
 * write are read: `history.edn` with one op map a line, and a file holding a
 * single vector of op maps (Knossos' sample data); an op may be printed as a
 * record (`#jepsen.history.Op{…}`, Jepsen 0.3). Keywords become strings,
 * `nil` null, vectors and lists arrays. Pure; throws `HistoryError` with the
 * line where the offending op map starts.
 */
export function parseEdn(text: string, file: string): Op[] {
  // edn-data is lenient with broken input (`{:a 1` parses as null, a
  // dangling key is dropped), so a small scanner checks the structure and
  // finds where each op starts; edn-data then decodes one op at a time,
  // unless the op is plain data that PlainReader decodes faster.
  const items = opForms(text, file);
  const plainReader = new PlainReader(text);
  const raws: RawOp[] = items.map((tagged) => {
    // Jepsen 0.3 prints ops as records, `#jepsen.history.Op{:index 0 …}`: the map inside is the op.
    const form = tagged.tag !== undefined && tagged.children[0]?.open === '{' ? tagged.children[0] : tagged;
    if (form.open !== '{')
      throw new HistoryError(
        file,
        form.line,
        `expected an op map {:process … :type … :f …}, got ${text.slice(form.start, Math.min(form.end, form.start + 40))}`,
      );
    let fields: unknown = plainReader.map(form.start, form.end);
    if (fields !== undefined) return { fields: fields as Record<string, unknown>, line: form.line };
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

/** Thrown inside {@link PlainReader} for anything it leaves to edn-data. */
const UNSUPPORTED = Symbol('unsupported');

/** Delimiters that end a token: whitespace, `,`, `;`, `"`, brackets and `#`, by char code. */
const TOKEN_END = new Uint8Array(128);
for (const c of ' \t\r\n,;"{}[]()#') TOKEN_END[c.charCodeAt(0)] = 1;

/**
 * Decodes op maps of plain data — keyword or string keys; vectors, lists,
 * nested maps, strings, keywords, integers, decimals, nil, true, false — as
 * edn-data does with the options parseEdn gives it, and answers undefined
 * for anything else (tags, sets, chars, symbols, comments, big or odd
 * numbers, escapes beyond \" \\ \n \t \r, a repeated key), which edn-data
 * then decodes. Jepsen's histories are plain data, and decoding them op by op
 * through edn-data was most of the time `check` took on a 100k-txn
 * list-append history.
 */
class PlainReader {
  private pos = 0;
  private end = 0;
  /** Keywords seen so far: a history repeats a few (`:type :ok`, `:append`) a million times. */
  private readonly keywords = new Map<string, string>();

  constructor(private readonly text: string) {}

  /** The op map spanning `start`–`end`, or undefined to leave it to edn-data. */
  map(start: number, end: number): Record<string, unknown> | undefined {
    this.pos = start;
    this.end = end;
    try {
      const out = this.value();
      this.skip();
      return this.pos === end ? (out as Record<string, unknown>) : undefined;
    } catch (err) {
      if (err === UNSUPPORTED) return undefined;
      throw err;
    }
  }

  private skip(): void {
    const t = this.text;
    while (this.pos < this.end) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 44 || c === 10 || c === 13 || c === 9) this.pos++;
      else return;
    }
  }

  private value(): unknown {
    this.skip();
    const t = this.text;
    const c = t.charCodeAt(this.pos);
    if (c === 123 /* { */) {
      this.pos++;
      const out: Record<string, unknown> = {};
      for (;;) {
        this.skip();
        if (t.charCodeAt(this.pos) === 125 /* } */) {
          this.pos++;
          return out;
        }
        const k = this.value();
        if (typeof k !== 'string' || Object.hasOwn(out, k) || k === '__proto__') throw UNSUPPORTED;
        out[k] = this.value();
      }
    }
    if (c === 91 /* [ */ || c === 40 /* ( */) {
      const close = c === 91 ? 93 : 41;
      this.pos++;
      const out: unknown[] = [];
      for (;;) {
        this.skip();
        if (t.charCodeAt(this.pos) === close) {
          this.pos++;
          return out;
        }
        out.push(this.value());
      }
    }
    if (c === 34 /* " */) return this.string();
    const from = this.pos;
    // A plain integer, read without slicing a string out of the text.
    let n = 0;
    let digits = 0;
    let at = c === 45 /* - */ ? from + 1 : from;
    for (; at < this.end; at++, digits++) {
      const d = t.charCodeAt(at);
      if (d < 48 || d > 57) break;
      n = n * 10 + (d - 48);
    }
    const after = at < this.end ? t.charCodeAt(at) : 32;
    if (digits > 0 && digits <= 15 && (after >= 128 || TOKEN_END[after]) && (t.charCodeAt(at - digits) !== 48 || digits === 1) && !(n === 0 && c === 45)) {
      this.pos = at;
      return c === 45 ? -n : n;
    }
    while (this.pos < this.end) {
      const d = t.charCodeAt(this.pos);
      if (d < 128 && TOKEN_END[d]) break;
      this.pos++;
    }
    const token = t.slice(from, this.pos);
    if (token.length > 1 && c === 58 /* : */ && token.charCodeAt(1) !== 58) {
      let name = this.keywords.get(token);
      if (name === undefined) this.keywords.set(token, (name = token.slice(1)));
      return name;
    }
    if (token === 'nil') return null;
    if (token === 'true') return true;
    if (token === 'false') return false;
    // At most 15 digits, so an integer is exact; -0 is left to edn-data.
    if (/^[-+]?(0|[1-9][0-9]{0,14})$/.test(token) || /^[-+]?(0|[1-9][0-9]*)\.[0-9]+([eE][-+]?[0-9]+)?$/.test(token)) {
      const n = Number(token);
      if (!Object.is(n, -0)) return n;
    }
    throw UNSUPPORTED;
  }

  private string(): string {
    const t = this.text;
    let out = '';
    let from = ++this.pos;
    for (;;) {
      if (this.pos >= this.end) throw UNSUPPORTED;
      const d = t.charCodeAt(this.pos);
      if (d === 34) break;
      if (d === 92 /* \ */) {
        const e = t[this.pos + 1];
        const esc = e === '"' ? '"' : e === '\\' ? '\\' : e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : undefined;
        if (esc === undefined) throw UNSUPPORTED;
        out += t.slice(from, this.pos) + esc;
        this.pos += 2;
        from = this.pos;
      } else this.pos++;
    }
    out += t.slice(from, this.pos++);
    return out;
  }
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

/** What the scanner returns for a form two or more collections deep: only that it was there counts. */
const NESTED: Form = Object.freeze({ start: 0, end: 0, line: 0, open: '', children: [] });

/** A just-enough EDN reader: balanced delimiters, strings, chars, comments, `#_` discards and tags; values are left to edn-data. */
class Scanner {
  private pos = 0;
  private line = 1;
  private calls = 0;

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
   * Reads one form at `pos`, `depth` collections deep; returns undefined for
   * a `#_` discard. Each level of nesting (a collection, a tag, a discard) is
   * a call, so calls are counted: 100,000 `[` would overflow the stack with
   * no line to name.
   */
  private form(depth = 0): Form | undefined {
    if (++this.calls > maxNesting) throw this.error(this.line, `nested more than ${maxNesting} deep; expected op maps of small values`);
    try {
      return this.read(depth);
    } finally {
      this.calls--;
    }
  }

  private read(depth: number): Form | undefined {
    const t = this.text;
    const start = this.pos;
    const line = this.line;
    const c = t[start];
    if (c === '#' && t[start + 1] === '_') {
      this.pos += 2;
      this.required(line, '#_', depth);
      return undefined;
    }
    const open = c === '#' && t[start + 1] === '{' ? '#{' : c === '{' || c === '[' || c === '(' ? c : '';
    if (open) {
      this.pos += open.length;
      const children: Form[] = [];
      let count = 0;
      for (;;) {
        this.skipSpace();
        if (this.pos >= t.length) throw this.error(line, `${NAMES[open]} opened here is never closed`);
        const d = t[this.pos];
        if (d === ']' || d === '}' || d === ')') {
          if (d !== CLOSERS[open]) throw this.error(this.line, `"${d}" closes the ${NAMES[open]} opened at line ${line}; expected "${CLOSERS[open]}"`);
          this.pos++;
          break;
        }
        const child = this.form(depth + 1);
        if (!child) continue;
        count++;
        if (depth === 0 && open !== '{') children.push(child);
      }
      if (open === '{' && count % 2 === 1) throw this.error(line, `map has a key without a value`);
      return depth > 1 ? NESTED : { start, end: this.pos, line, open, children };
    }
    if (c === '"') {
      this.pos++;
      while (this.pos < t.length && t[this.pos] !== '"') {
        if (t[this.pos] === '\n') this.line++;
        this.pos += t[this.pos] === '\\' ? 2 : 1;
      }
      if (this.pos >= t.length) throw this.error(line, 'string opened here is never closed');
      this.pos++;
      return depth > 1 ? NESTED : { start, end: this.pos, line, open: '', children: [] };
    }
    if (c === '#') {
      // A tagged value (`#inst "…"`, `#jepsen.history.Op{…}`): the tag and the form it tags are one value.
      this.token();
      const tag = t.slice(start + 1, this.pos);
      const inner = this.required(line, t.slice(start, this.pos), depth);
      return { start, end: this.pos, line, open: '', tag, children: [inner] };
    }
    // edn-data misreads char literals of delimiters (`\]`, `\(`): refuse them rather than decode a wrong value.
    if (c === '\\' && ' \t\r\n,;"{}[]()'.includes(t[start + 1] ?? ' '))
      throw this.error(line, `char literal "${t.slice(start, start + 2)}" is not supported; write it as a string`);
    this.token();
    return depth > 1 ? NESTED : { start, end: this.pos, line, open: '', children: [] };
  }

  /** Reads the form that must follow `after` (a tag or `#_`) and returns it. */
  private required(line: number, after: string, depth: number): Form {
    this.skipSpace();
    const form = this.pos >= this.text.length || ']})'.includes(this.text[this.pos]) ? undefined : this.form(depth);
    if (!form) throw this.error(line, `expected a value after ${after}`);
    return form;
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
