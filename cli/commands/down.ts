import { Command } from 'commander';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { control, defaultStateDir, isPatternbenchProcess, readUpState } from '../../runner/control-client.ts';

/** `patternbench down`: asks a running `up` to stop; if it is gone (crashed, kill -9), stops its leftovers from their pid files. */
export function downCommand(): Command {
  return new Command('down')
    .description('stop the environment `up` started (and the leftovers of one that crashed)')
    .option('--state <dir>', 'the state folder of `up`', defaultStateDir)
    .action(async (flags: { state: string }) => {
      const state = readUpState(flags.state);
      const alive = isPatternbenchProcess(state.pid);
      if (alive) {
        // A starting `up` has no control API yet; SIGTERM makes it stop what it started.
        const asked = state.controlUrl
          ? await control(state, 'POST', '/down').then(
              () => true,
              () => false,
            )
          : false;
        if (!asked) process.kill(state.pid, 'SIGTERM');
        const deadline = Date.now() + 60_000;
        while (isPatternbenchProcess(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        if (isPatternbenchProcess(state.pid)) throw new Error(`up (pid ${state.pid}) did not stop within 60 s`);
      }
      const { stopLeftovers } = await import('../../runtime/local/leftovers.ts');
      for (const t of state.targets) if (existsSync(join(t.runDir, 'pids.json'))) await stopLeftovers(t.runDir);
      // A docker environment's containers and networks, by the label its docker.json names.
      const { stopDockerLeftovers } = await import('../../runtime/docker/leftovers.ts');
      for (const t of state.targets) if (existsSync(join(t.runDir, 'docker.json'))) await stopDockerLeftovers(t.runDir);
      rmSync(join(resolve(flags.state), 'env.json'), { force: true });
      console.log(alive ? `stopped (pid ${state.pid})` : `up (pid ${state.pid}) was gone; stopped its leftovers`);
    });
}
