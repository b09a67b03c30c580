import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HistoryWriter } from '../history/writer.ts';
import type { Environment } from '../runtime/environment.ts';
import type { Topology } from '../runtime/topology.ts';
import { onShutdown } from '../runtime/shutdown.ts';
import { createFault, listActiveFaults, clearAllFaults } from '../faults/index.ts';
import { Nemesis } from '../faults/nemesis.ts';
import { startControlServer, BadRequest } from './control-server.ts';
import { writeJsonAtomic } from './atomic-write.ts';
import { startEnvironment } from './start-environment.ts';
import { faultContext } from '../faults/fault-context.ts';
import { tokenFile, type UpState } from './control-client.ts';
import { UsageError } from './usage-error.ts';
import { stopLeftovers } from '../runtime/local/leftovers.ts';
import { isSameProcess, processIdentity } from '../runtime/local/supervisor.ts';
import { dockerStateFile, stopDockerLeftovers } from '../runtime/docker/leftovers.ts';

/** A pattern to hold up: its name and its topology (options applied). */
export interface UpTarget {
  name: string;
  topology: Topology;
}

interface Held {
  target: UpTarget;
  env: Environment;
  /** Absent until the target answers. */
  url?: string;
  dir: string;
  nemesis: Nemesis;
  history: HistoryWriter;
}

/**
 * `patternbench up`: starts one environment a target and holds it until
 * `down`, SIGINT or SIGTERM. Faults injected through the control API are
 * appended as nemesis ops to `<stateDir>/<target>/history.jsonl`, so load a
 * user drives by hand can be lined up with them. Resolves once everything is
 * stopped.
 */
export async function holdEnvironment(opts: {
  targets: UpTarget[];
  runtime: 'local' | 'docker';
  stateDir: string;
  print: (line: string) => void;
}): Promise<void> {
  const stateDir = resolve(opts.stateDir);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  await claimStateDir(stateDir);
  // The control API's token, readable by this user only: whoever holds it can kill components.
  const token = randomBytes(32).toString('hex');
  rmSync(tokenFile(stateDir), { force: true }); // a file's mode is set when it is created
  writeFileSync(tokenFile(stateDir), `${token}\n`, { mode: 0o600, flag: 'wx' });
  const stateFile = join(stateDir, 'env.json');
  const dirs = opts.targets.map((t) => ({ name: t.name, url: '', runDir: join(stateDir, t.name), toxiproxyUrl: '', links: [], components: [] }));
  // Written first thing, so `down` can stop (or clean up after) an `up` that is still starting.
  const self = processIdentity(process.pid) ?? undefined;
  writeJsonAtomic(stateFile, {
    pid: process.pid,
    process: self,
    status: 'starting',
    controlUrl: '',
    startedAt: new Date().toISOString(),
    targets: dirs,
  } satisfies UpState);
  const startHr = process.hrtime.bigint();
  const clock = () => Number(process.hrtime.bigint() - startHr);
  const held: Held[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const stopAll = async () => {
    for (const h of [...held].reverse()) {
      await h.nemesis.stopAll({ final: true }).catch((err: Error) => opts.print(`reverting faults on ${h.target.name}: ${err.message}`));
      try {
        await h.env.stop();
      } finally {
        h.history.close(); // after the environment: a death until then still goes in
      }
    }
    rmSync(stateFile, { force: true });
    rmSync(tokenFile(stateDir), { force: true });
  };
  const unregister = onShutdown(stopAll);
  try {
    for (const target of opts.targets) {
      const dir = join(stateDir, target.name);
      mkdirSync(dir, { recursive: true });
      const env = await startEnvironment(opts.runtime, target.topology, { runDir: dir });
      const history = new HistoryWriter(join(dir, 'history.jsonl'));
      const nemesis = new Nemesis({ history, clock, ctx: faultContext(env) });
      // A component that ends unasked is said at once, and lined up with the faults in the target's history.
      env.onDeath(({ component, exitCode, signal }) => {
        history.append({ time: clock(), process: 'nemesis', type: 'info', f: 'start-crash', value: { on: component, exitCode, signal } });
        opts.print(`${target.name}: ${component} died unasked (${signal ? `killed by ${signal}` : `exit code ${exitCode}`}); see ${dir}/logs/${component}.log`);
      });
      held.push({ target, env, dir, nemesis, history, url: env.services.get('target')?.join(' ') });
    }
    const find = (name?: string): Held => {
      if (!name && held.length === 1) return held[0];
      const h = held.find((x) => x.target.name === name);
      if (!h)
        throw new BadRequest(
          name
            ? `no target "${name}" is up; up: ${held.map((x) => x.target.name).join(', ')}`
            : `several targets are up (${held.map((x) => x.target.name).join(', ')}): name one with --target`,
        );
      return h;
    };
    const { url: controlUrl, server } = await startControlServer(
      {
        status: () => state,
        listFaults: async () =>
          Promise.all(
            held.map(async (h) => ({ target: h.target.name, active: h.nemesis.active.map(describe), toxiproxy: await listActiveFaults(h.env.toxiproxyUrl) })),
          ),
        startFault: async ({ target, kind, on, attributes, forMs }) => {
          const h = find(target);
          let fault: ReturnType<typeof createFault>;
          try {
            fault = createFault(kind, on, attributes, h.nemesis.ctx);
          } catch (err) {
            throw new BadRequest((err as Error).message);
          }
          await h.nemesis.start(fault);
          if (forMs !== undefined) setTimeout(() => void h.nemesis.stop(fault).catch(() => undefined), forMs).unref();
          return { target: h.target.name, started: describe(fault), forMs };
        },
        clearFaults: async () => {
          for (const h of held) {
            await h.nemesis.stopAll();
            await clearAllFaults(h.env.toxiproxyUrl);
          }
          return { cleared: held.map((h) => h.target.name) };
        },
        down: () => release(),
      },
      { token },
    );
    const state: UpState = {
      pid: process.pid,
      process: self,
      status: 'up',
      controlUrl,
      startedAt: new Date().toISOString(),
      targets: held.map((h) => ({
        name: h.target.name,
        url: h.url ?? '',
        runDir: h.dir,
        toxiproxyUrl: h.env.toxiproxyUrl,
        links: [...h.env.links.keys()],
        components: [...h.env.components.keys()],
      })),
    };
    writeJsonAtomic(stateFile, state);
    for (const t of state.targets) {
      opts.print(`${t.name}: ${t.url}`);
      opts.print(`  links: ${t.links.join(', ')}`);
      opts.print(`  components: ${t.components.join(', ')}`);
    }
    opts.print(`up (pid ${process.pid}); inject faults with \`patternbench fault <kind> --link <name>\`, stop with \`patternbench down\` or Ctrl-C`);
    await released;
    server.close();
  } finally {
    unregister();
    await stopAll();
  }
}

/**
 * Refuses a state folder another live `up` holds; after an `up` that died
 * (kill -9, a crash), stops what it left running and removes its state.
 */
async function claimStateDir(stateDir: string): Promise<void> {
  const file = join(stateDir, 'env.json');
  if (!existsSync(file)) return;
  const previous = JSON.parse(readFileSync(file, 'utf8')) as UpState;
  // The very process that wrote the file, by its identity: a pid alone may have been recycled, or the file forged.
  if (isSameProcess(previous.process))
    throw new UsageError(`an environment is already up in ${stateDir} (pid ${previous.pid}); stop it with: patternbench down`);
  for (const t of previous.targets) for (const line of (await stopLeftovers(t.runDir)).refused) console.error(`patternbench up: ${line}`);
  for (const t of previous.targets) if (existsSync(dockerStateFile(t.runDir))) await stopDockerLeftovers(t.runDir);
  rmSync(file, { force: true });
}

function describe(f: { kind: string; on: string; attributes: Readonly<Record<string, unknown>> }) {
  return { kind: f.kind, on: f.on, ...f.attributes };
}
