import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkCommand, runCheck, type CheckOptions } from './check.ts';
import { patternbenchBin } from '../run-cli.ts';

const corpus = (name: string) => fileURLToPath(new URL(`../../../shared/corpus/${name}`, import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../../history/fixtures/${name}`, import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function check(files: string[], opts: CheckOptions) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCheck(files, opts, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('runCheck usage errors exit 3 before reading any file', () => {
  it('lists the known models for an unknown one', async () => {
    const r = await check([corpus('h0000.edn')], { model: 'regster' });
    expect(r).toMatchObject({ code: 3, out: [] });
    expect(r.err[0]).toMatch(/unknown model "regster"; known models: .*cas-register.*kv/);
  });

  it('refuses a bad --max-memory or --explain-timeout, naming the flag', async () => {
    expect((await check([corpus('h0000.edn')], { model: 'cas-register', maxMemory: '0' })).err[0]).toBe(
      'patternbench check: --max-memory must be a positive number of MB, got "0"',
    );
    expect((await check([corpus('h0000.edn')], { model: 'cas-register', explainTimeout: '-1' })).err[0]).toBe(
      'patternbench check: --explain-timeout must be a non-negative number of seconds, got "-1"',
    );
  });

  it('refuses a missing model, bad --init JSON, a bad --timeout and no files', async () => {
    expect((await check([corpus('h0000.edn')], {})).err[0]).toMatch(/--model is required; known models: /);
    expect((await check([corpus('h0000.edn')], { model: 'cas-register', init: '{nope' })).err[0]).toMatch(/--init must be JSON/);
    expect((await check([corpus('h0000.edn')], { model: 'cas-register', timeout: 'soon' })).err[0]).toMatch(
      /--timeout must be a positive number of seconds, got "soon"/,
    );
    expect((await check([], { model: 'cas-register' })).code).toBe(3);
  });
});

describe('runCheck verdicts', () => {
  it('exits 0 when every file is valid, one line a file', async () => {
    const r = await check([corpus('h0000.edn'), fixture('register-ok.jsonl')], { model: 'cas-register', init: '0' });
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(2);
    expect(r.out[0]).toMatch(/h0000\.edn: valid \(\d+ ops, \d+ ms\)$/);
    expect(r.out[1]).toMatch(/register-ok\.jsonl: valid \(5 ops, \d+ ms\)$/);
  });

  it('exits 1 when any file is invalid and shows a readable counterexample', async () => {
    const r = await check([fixture('register-ok.jsonl'), fixture('register-bad.jsonl')], { model: 'cas-register', init: '0' });
    expect(r.code).toBe(1);
    expect(r.out[1]).toMatch(/register-bad\.jsonl: INVALID \(5 ops, \d+ ms\)$/);
    expect(r.out.slice(2)).toEqual([
      '  after 3 linearized ops the state is 2, and none of these can go next:',
      '    ✗ p1 read nil → 0 [ops 5–7]',
      '    last linearized: p1 read nil → 0 [ops 1–2]; p0 write 1 → 1 [ops 0–3]; p2 cas [1,2] → ? (info) [ops 4–8]',
    ]);
  });

  it('exits 1 for an invalid corpus history per key, naming the key', async () => {
    const r = await check([corpus('h0005.edn')], { model: 'kv', init: '""' });
    expect(r.code).toBe(1);
    expect(r.out[1]).toMatch(/^ {2}key \S+: after \d+ linearized ops the state is /);
  });

  it('exits 2 when a file runs out of time and none is invalid, saying why', async () => {
    const r = await check([corpus('h0002.edn')], { model: 'kv', init: '""', timeout: 1e-9 });
    expect(r.code).toBe(2);
    expect(r.out[0]).toMatch(/h0002\.edn: unknown \(\d+ ops, \d+ ms\): timed out/);
  });

  it('exits 3 for a bad history, with file:line, and still checks the others', async () => {
    const r = await check([fixture('no-invoke.jsonl'), fixture('register-ok.jsonl'), join(tmpdir(), 'no-such-history.jsonl')], {
      model: 'cas-register',
      init: '0',
    });
    expect(r.code).toBe(3);
    expect(r.err[0]).toBe(`${fixture('no-invoke.jsonl')}:3: completion "ok" for process 3 has no open invoke`);
    expect(r.err[1]).toMatch(/no-such-history\.jsonl: ENOENT/);
    expect(r.out).toHaveLength(1);
  });

  it('writes one JSON object a line with --json', async () => {
    const r = await check([fixture('register-bad.jsonl'), corpus('h0000.edn')], { model: 'cas-register', init: '0', json: true });
    const lines = r.out.map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ file: fixture('register-bad.jsonl'), valid: false, model: 'cas-register', ops: 5 });
    expect(lines[0].counterexample[0].unplaced[0]).toMatchObject({ process: 1, f: 'read', output: 0, invokeIndex: 5 });
    expect(lines[1]).toEqual({
      file: corpus('h0000.edn'),
      valid: true,
      model: 'cas-register',
      ops: expect.any(Number),
      verdictMs: expect.any(Number),
      elapsedMs: expect.any(Number),
    });
  });

  it('says when a counterexample is partial, and which keys it covers and leaves out', async () => {
    // Key "hard": twenty overlapping puts and an impossible get, too many configurations to search in no time; key "easy" fails at once.
    const lines: object[] = [];
    for (let p = 0; p < 20; p++) lines.push({ process: p, type: 'invoke', f: 'put', key: 'hard', value: p });
    for (let p = 0; p < 20; p++) lines.push({ process: p, type: 'ok', f: 'put', key: 'hard', value: p });
    lines.push({ process: 20, type: 'invoke', f: 'get', key: 'hard', value: null }, { process: 20, type: 'ok', f: 'get', key: 'hard', value: 99 });
    lines.push({ process: 30, type: 'invoke', f: 'get', key: 'easy', value: null }, { process: 30, type: 'ok', f: 'get', key: 'easy', value: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'check-partial-'));
    dirs.push(dir);
    const file = join(dir, 'two-keys.jsonl');
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n'));
    const text = await check([file], { model: 'kv', explainTimeout: '0' });
    expect(text.code).toBe(1);
    expect(text.out.at(-1)).toBe('  partial counterexample (timed out after 0 ms): it covers easy; not searched to the end: hard');
    const json = JSON.parse((await check([file], { model: 'kv', explainTimeout: '0', json: true })).out[0]);
    expect(json).toMatchObject({ valid: false, partial: { reason: 'timed out after 0 ms', covers: ['easy'], unsearched: ['hard'] } });
  });

  it('writes <basename>.html a file with --html, numbering shared basenames', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-html-'));
    dirs.push(dir);
    const out = join(dir, 'pages');
    const r = await check([fixture('register-bad.jsonl'), fixture('register-bad.jsonl')], { model: 'cas-register', init: '0', html: out });
    expect(r.code).toBe(1);
    expect(existsSync(join(out, 'register-bad.html'))).toBe(true);
    expect(readFileSync(join(out, 'register-bad-2.html'), 'utf8')).toContain('class="op ok unplaced"');
  });
});

describe('runCheck on histories that hold nothing, or what the model cannot take', () => {
  const file = (name: string, text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'check-odd-'));
    dirs.push(dir);
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const nemesisOnly = '{"process":"nemesis","type":"info","f":"start-latency","value":{"on":"target-to-redis"}}\n';

  it('says unknown, exit 2, for an empty, blank or fault-events-only history: a verdict on nothing is no evidence', async () => {
    const files = [file('empty.jsonl', ''), file('blank.jsonl', '  \n\t\n\n'), file('faults-only.jsonl', nemesisOnly), file('empty.edn', '')];
    const r = await check(files, { model: 'register', init: '0' });
    expect(r.code).toBe(2);
    for (const [i, f] of files.entries())
      expect(r.out[i]).toBe(`${f}: unknown (0 ops, 0 ms): no client operations in the history: a verdict on nothing is no evidence`);
    const json = await check([files[0]], { model: 'register', json: true });
    expect(JSON.parse(json.out[0])).toMatchObject({ valid: 'unknown', ops: 0, reason: expect.stringMatching(/no client operations/) });
  });

  it('names the line of an op the model cannot take: an unknown f, a malformed cas value', async () => {
    const ok = '{"process":0,"type":"invoke","f":"write","value":1}\n{"process":0,"type":"ok","f":"write","value":1}\n';
    const frob = file('frob.jsonl', `${ok}\n{"process":1,"type":"invoke","f":"frob","value":1}\n{"process":1,"type":"ok","f":"frob","value":1}\n`);
    const cas = file(
      'cas.edn',
      '{:process 0 :type :invoke :f :read :value nil}\n{:process 0 :type :ok :f :read :value 0}\n{:process 1 :type :invoke :f :cas :value 5}\n{:process 1 :type :info :f :cas :value 5}\n',
    );
    const r = await check([frob, cas], { model: 'cas-register', init: '0' });
    expect(r.code).toBe(3);
    expect(r.err).toEqual([`${frob}:4: model cas-register has no operation "frob"`, `${cas}:3: cas expects [from, to], got 5`]);
  });

  it('names the file and line of a value nested 100,000 deep, not the stack it would overflow', async () => {
    const deep = '['.repeat(100_000);
    const edn = file('deep.edn', `{:process 0 :type :invoke :f :read :value nil}\n${deep}\n`);
    const jsonl = file('deep.jsonl', `{"process":0,"type":"invoke","f":"write","value":${deep}${']'.repeat(100_000)}}\n`);
    const r = await check([edn, jsonl], { model: 'register' });
    expect(r.code).toBe(3);
    expect(r.err).toEqual([
      `${edn}:2: malformed EDN: nested more than 1000 deep; expected op maps of small values`,
      `${jsonl}:1: a value nested more than 1000 deep; expected one flat op object a line`,
    ]);
  });

  it('with --json, gives a bad file a JSON line of its own as well as the error on stderr', async () => {
    const r = await check([fixture('no-invoke.jsonl'), fixture('register-ok.jsonl')], { model: 'cas-register', init: '0', json: true });
    expect(r.code).toBe(3);
    const lines = r.out.map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ file: fixture('no-invoke.jsonl'), error: `${fixture('no-invoke.jsonl')}:3: completion "ok" for process 3 has no open invoke` });
    expect(lines[1]).toMatchObject({ file: fixture('register-ok.jsonl'), valid: true });
    expect(r.err).toEqual([lines[0].error]);
  });
});

describe('checkCommand', () => {
  it('hands files and flags to runCheck and sets the exit code', async () => {
    const before = process.exitCode;
    try {
      const cmd = checkCommand().configureOutput({ writeOut: () => {}, writeErr: () => {} });
      const log = console.log;
      console.log = () => {};
      try {
        await cmd.parseAsync([fixture('register-bad.jsonl'), '--model', 'cas-register', '--init', '0'], { from: 'user' });
      } finally {
        console.log = log;
      }
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = before;
    }
  });
});

describe('patternbench check | head', () => {
  it('keeps its exit code and says nothing of a broken pipe when the reader stops early', async () => {
    // Many files, so that output is still being written when the pipe closes.
    const files = Array<string>(200).fill(fixture('register-bad.jsonl'));
    const child = spawn(patternbenchBin, ['check', ...files, '--model', 'cas-register', '--init', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(1);
  }, 30_000);
});

describe('runCheck --model list-append', () => {
  const la = (name: string) => fileURLToPath(new URL(`../../checkers/list-append/fixtures/${name}.jsonl`, import.meta.url));

  it('exits 1 for an anomaly, explaining its cycle and naming its ops', async () => {
    const r = await check([la('G-single-ok'), la('G-single-bad')], { model: 'list-append' });
    expect(r.code).toBe(1);
    expect(r.out[0]).toMatch(/G-single-ok\.jsonl: valid \(2 txns, \d+ ms\)$/);
    expect(r.out.slice(2)).toEqual([
      '  anomalies: G-single ×1',
      '  rules out: snapshot-isolation, serializable, strict-serializable',
      "  G-single: T1 read x = [] without 1, which T2 appended (rw); T1 read y = [1], seeing T2's append of 1 (wr). Each step puts its first txn before its second, so T1 would have to come before itself.",
      '    T1 = op 3 (process 1, ok); T2 = op 2 (process 0, ok)',
    ]);
  });

  it('judges against --consistency-models, and writes JSON with --json', async () => {
    expect((await check([la('G2-item-bad')], { model: 'list-append', consistencyModels: 'snapshot-isolation' })).code).toBe(0);
    const r = await check([la('G2-item-bad')], { model: 'list-append', consistencyModels: 'read-committed,serializable', json: true });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out[0])).toMatchObject({
      valid: false,
      model: 'list-append',
      anomalyTypes: ['G2-item'],
      ruledOut: ['serializable', 'strict-serializable'],
    });
  });

  it('refuses an unknown consistency model and flags meant for linearizability', async () => {
    expect((await check([la('G0-ok')], { model: 'list-append', consistencyModels: 'acid' })).err[0]).toMatch(
      /unknown consistency model "acid"; known: read-uncommitted/,
    );
    expect((await check([la('G0-ok')], { model: 'list-append', init: '0' })).err[0]).toMatch(/--init and --html do not apply/);
  });

  it('says unknown for a history without txns, and exits 3 for a malformed one, naming the file and the line or op', async () => {
    expect(await check([fixture('register-ok.jsonl')], { model: 'list-append' })).toMatchObject({ code: 2, err: [] });
    const bad = await check([fixture('no-invoke.jsonl')], { model: 'list-append' });
    expect(bad).toMatchObject({ code: 3, err: [`${fixture('no-invoke.jsonl')}:3: completion "ok" for process 3 has no open invoke`] });
    const dir = mkdtempSync(join(tmpdir(), 'la-'));
    dirs.push(dir);
    const file = join(dir, 'h.edn');
    writeFileSync(file, '{:process 0 :type :invoke :f :txn :value [[:append :x]]}\n');
    expect((await check([file], { model: 'list-append' })).err).toEqual([
      `${file}: op 0: micro-op 0: ["append","x"] is not [f k v]; expected a txn value like [["append","x",1],["r","y",[1,2]]]`,
    ]);
  });
});
