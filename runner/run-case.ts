import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HistoryWriter } from '../history/writer.ts';
import type { ComponentDeath, Environment } from '../runtime/environment.ts';
import type { Topology } from '../runtime/topology.ts';
import { onShutdown } from '../runtime/shutdown.ts';
import { Nemesis } from '../faults/nemesis.ts';
import { createFault } from '../faults/index.ts';
import type { OpInput } from '../history/op.ts';
import { faultContext } from '../faults/fault-context.ts';
import { runSchedule, type PlannedFault } from '../faults/schedule.ts';
import { runK6, type K6Result } from './k6.ts';
import { K6HistoryTail } from './k6-history.ts';
import { Sampler } from './sampler.ts';
import { assertAllowedUrl } from './safety.ts';
import { parseDuration } from '../faults/duration.ts';
import { writeJsonAtomic } from './atomic-write.ts';
import { runCaseChecks } from './case-checks.ts';
import type { PlannedCase } from './plan-suite.ts';
import type { ComposedVerdict } from '../checkers/index.ts';
import type { CaseStatsJson } from '../reports/results-schema.ts';

/** What one case produced; written into results.json. */
export interface CaseResult {
  name: string;
  /** The pattern, as the suite's `target` names it. */
  target: string;
  family: string;
  /** The pattern's options and the workload's settings, as run. */
  options: Record<string, unknown>;
  workload: Record<string, unknown>;
  status: 'running' | 'completed' | 'interrupted' | 'error';
  startedAt: string;
  endedAt?: string;
  error?: string;
  /** Components that ended unasked during the case (each also a `start-crash` op in its history); the first ended the case. */
  deaths?: Array<Omit<ComponentDeath, 'pid'> & { timeNs?: number }>;
  /** The case's folder, relative to the run folder. */
  dir: string;
  history: { ops: number; ok: number; fail: number; info: number; nemesis: number; skippedLines: number };
  k6?: Omit<K6Result, 'summaryPath' | 'dashboardPath'>;
  /** The suite's checks over this case's history; the merged `valid` is the worst. */
  checks?: ComposedVerdict;
  /** The family's own figures of this case (hit ratio, lost writes …). */
  figures?: Record<string, unknown>;
  links: string[];
  /** Generic figures from the history (throughput, latency quantiles, errors …), added by the report when the run ends. */
  stats?: CaseStatsJson;
}

export interface CaseContext {
  runDir: string;
  plan: PlannedFault[];
  allowRemote: string[];
  startEnvironment: (topology: Topology, runDir: string) => Promise<Environment>;
  /** Called with the partial result whenever it changes, so results.json stays current. */
  onUpdate: (result: CaseResult) => void;
  /** Live status for the progress line. */
  onStatus?: (status: string) => void;
}

/**
 * Runs one planned case through its workload and the suite's fault plan:
 * starts its topology (stores, links, the pattern's service), then k6 (open
 * model) at the service named `target` while the nemesis plays the plan and
 * the sampler records metrics; every client op and fault event goes to
 * `history.jsonl` as it happens. Whatever happens — error, SIGINT, a
 * component that dies unasked — the faults are reverted, every process
 * stopped and the history closed before it returns; it never throws.
 *
 * A component's death ends the case at once: it is written into the
 * history as a nemesis op (`start-crash`, so reports shade from it to the
 * end), the load is stopped, and the case is an `error` naming it. Once
 * the load has started, the checks run on what was seen, whatever the
 * status (interrupted aside); a case whose clients recorded no operation
 * is an error and its checks `unknown`: a verdict on nothing is no evidence.
 */
export async function runCase(planned: PlannedCase, ctx: CaseContext): Promise<CaseResult> {
  const { name } = planned;
  const dir = join(ctx.runDir, name);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const result: CaseResult = {
    name,
    target: planned.pattern.name,
    family: planned.family.name,
    options: planned.options,
    workload: planned.settings,
    status: 'running',
    startedAt: new Date().toISOString(),
    dir: name,
    history: { ops: 0, ok: 0, fail: 0, info: 0, nemesis: 0, skippedLines: 0 },
    links: [],
  };
  ctx.onUpdate(result);
  const history = new HistoryWriter(join(dir, 'history.jsonl'));
  const abort = new AbortController();
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  let unregister = () => {};
  let env: Environment | undefined;
  let nemesis: Nemesis | undefined;
  let sampler: Sampler | undefined;
  let tail: K6HistoryTail | undefined;
  let clockNs: (() => number) | undefined;
  let drained: { append(op: OpInput): unknown } | undefined;
  let loadStarted = false;
  let unwatch = () => {};
  const died = (death: ComponentDeath) => {
    const timeNs = clockNs?.();
    (result.deaths ??= []).push({ component: death.component, kind: death.kind, exitCode: death.exitCode, signal: death.signal, timeNs });
    const value = { on: death.component, exitCode: death.exitCode, signal: death.signal };
    if (timeNs !== undefined) drained?.append({ time: timeNs, process: 'nemesis', type: 'info', f: 'start-crash', value });
    const how = death.signal ? `killed by ${death.signal}` : `exit code ${death.exitCode}`;
    addError(result, `${death.component} died unasked (${how}); see ${name}/logs/${death.component}.log`);
    abort.abort();
  };
  try {
    env = await ctx.startEnvironment(planned.topology, dir);
    unwatch = env.onDeath(died);
    // Registered after the environment, so on SIGINT it runs first: stop k6,
    // revert faults, save the history, then let the environment go.
    unregister = onShutdown(async () => {
      result.status = 'interrupted';
      abort.abort();
      await done;
    });
    result.links = [...env.links.keys()];
    const targetUrls = env.services.get('target') ?? [];
    if (targetUrls.length === 0) throw new Error(`${planned.pattern.name} started no service named "target" for the workload to drive`);
    writeJsonAtomic(join(dir, 'environment.json'), describeEnvironment(env));
    for (const url of targetUrls) assertAllowedUrl(url, `target ${planned.pattern.name}`, ctx.allowRemote);
    assertAllowedUrl(env.toxiproxyUrl, 'toxiproxy', ctx.allowRemote);

    const startWallMs = Date.now();
    const startHr = process.hrtime.bigint();
    const clock = () => Number(process.hrtime.bigint() - startHr);
    clockNs = clock;
    sampler = new Sampler(env, join(dir, 'metrics.jsonl'), clock);
    await sampler.start();
    tail = new K6HistoryTail(join(dir, 'k6-console.log'), history, startWallMs);
    // Before a fault event is appended, every client line k6 has written so
    // far goes in: k6 writes each console line as it is logged, so the file
    // order stays the real-time order across clients and nemesis.
    drained = { append: (op: OpInput) => (tail!.drain(), history.append(op)) };
    const faultCtx = faultContext(env);
    nemesis = new Nemesis({ history: drained, clock, ctx: faultCtx });
    // Build (not start) every planned fault now: a misnamed link fails the case before any load.
    for (const p of ctx.plan) createFault(p.kind, p.on, p.attributes, faultCtx);
    if (abort.signal.aborted) throw new Error('interrupted before the load started');
    tail.start();
    loadStarted = true;
    // The handler is attached at once: a fault that fails mid-run is this case's error, never an unhandled rejection.
    const schedule = runSchedule(ctx.plan, nemesis, { signal: abort.signal }).catch((err: Error) => addError(result, `fault schedule: ${err.message}`));
    const w = planned.settings;
    const status = setInterval(
      () =>
        ctx.onStatus?.(
          `${(clock() / 1e9).toFixed(0)}s/${parseDuration(w.duration) / 1000}s  ops ${history.count}  faults ${nemesis?.active.length ?? 0} active`,
        ),
      1000,
    );
    let k6: K6Result;
    try {
      k6 = await runK6({
        script: w.script,
        dir,
        allowRemote: ctx.allowRemote,
        signal: abort.signal,
        env: {
          TARGET_URLS: targetUrls.join(','),
          RATE: String(w.rate),
          DURATION: `${parseDuration(w.duration)}ms`,
          TIMEOUT: `${parseDuration(w.timeout)}ms`,
          PRE_VUS: String(w.preVUs),
          MAX_VUS: String(w.maxVUs),
          ...planned.workload.env(w),
        },
      });
    } finally {
      clearInterval(status);
      abort.abort(); // ends the schedule: whatever is active is reverted
      await schedule;
    }
    const { summaryPath: _s, dashboardPath: _d, ...k6Figures } = k6;
    result.k6 = k6Figures;
    // 99: k6's "thresholds crossed", a verdict on the target, not a failed run. A k6 stopped for a death said nothing new.
    if (k6.exitCode !== 0 && k6.exitCode !== 99 && result.status !== 'interrupted' && !result.deaths)
      addError(result, `k6 exited with code ${k6.exitCode}; see ${name}/logs/k6.log`);
    if (result.status === 'running') result.status = 'completed';
  } catch (err) {
    if (result.status === 'running') result.status = 'error';
    // A load stopped because a component died fails for that reason, already given.
    if (!(result.deaths && abort.signal.aborted)) result.error = result.error ? `${result.error}; ${(err as Error).message}` : (err as Error).message;
  } finally {
    unregister();
    // Final: a fault that cannot be reverted now (its toxiproxy died) is closed in the history with the error.
    await nemesis?.stopAll({ final: true }).catch((err: Error) => addError(result, `reverting faults: ${err.message}`));
    tail?.stop();
    await sampler?.stop().catch((err: Error) => addError(result, `stopping the sampler: ${err.message}`));
    unwatch();
    await env?.stop().catch((err: Error) => addError(result, `stopping the environment: ${err.message}`));
    result.history = { ...countOps(history), skippedLines: tail?.skipped ?? 0 };
    history.close();
    const clientOps = result.history.ok + result.history.fail + result.history.info;
    if (loadStarted && result.status !== 'interrupted' && clientOps === 0) {
      addError(result, `the workload recorded no client operation, so there is nothing to judge; see ${name}/logs/k6.log`);
      if (planned.checks.length) result.checks = { valid: 'unknown', error: 'no client operations: a verdict on nothing is no evidence', results: {} };
    } else if (loadStarted && result.status !== 'interrupted') {
      try {
        Object.assign(result, runCaseChecks(dir, planned));
      } catch (err) {
        // An unreadable history decides nothing: unknown, with the reason (file:line).
        if (planned.checks.length) result.checks = { valid: 'unknown', error: (err as Error).message, results: {} };
      }
    }
    result.endedAt = new Date().toISOString();
    ctx.onUpdate(result);
    finished();
  }
  return result;
}

function addError(result: CaseResult, message: string): void {
  result.error = result.error ? `${result.error}; ${message}` : message;
  if (result.status === 'completed' || result.status === 'running') result.status = 'error';
}

/** What a user needs to reach a case's environment by hand: components, links, the services' URLs. */
function describeEnvironment(env: Environment) {
  return {
    services: Object.fromEntries(env.services),
    toxiproxyUrl: env.toxiproxyUrl,
    components: [...env.components.values()].map((c) => ({ name: c.name, kind: c.kind, host: c.host, port: c.port, pid: (c as { pid?: number }).pid })),
    links: [...env.links.values()],
  };
}

function countOps(history: HistoryWriter): Omit<CaseResult['history'], 'skippedLines'> {
  const c = history.counts;
  return { ops: history.count, ok: c.ok, fail: c.fail, info: c.info - c.nemesis, nemesis: c.nemesis };
}
