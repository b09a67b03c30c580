import { Command } from 'commander';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { control, defaultStateDir, readUpState, tokenFile } from '../../runner/control-client.ts';

/**
 * `patternbench down`: asks a running `up` to stop; if it is gone (crashed,
 * kill -9), stops its leftovers from their pid files. Every process and
 * folder the state files name is checked before it is touched (see
 * `stopLeftovers`); what fails the check is named on stderr and left alone.
 */
export function downCommand(): Command {
  return new Command('down')
    .description('stop the environment `up` started (and the leftovers of one that crashed)')
    .option('--state <dir>', 'the state folder of `up`', defaultStateDir)
    .action(async (flags: { state: string }) => {
      const state = readUpState(flags.state);
      const { isSameProcess } = await import('../../runtime/local/supervisor.ts');
      // The very `up` that wrote the file, by its identity: a pid alone may have been recycled, or the file forged.
      const isUpRunning = () => isSameProcess(state.process);
      const alive = isUpRunning();
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
        while (isUpRunning() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        if (isUpRunning()) throw new Error(`up (pid ${state.pid}) did not stop within 60 s`);
      }
      const { stopLeftovers } = await import('../../runtime/local/leftovers.ts');
      for (const t of state.targets) {
        if (!existsSync(join(t.runDir, 'pids.json'))) continue;
        for (const line of (await stopLeftovers(t.runDir)).refused) console.error(`patternbench down: ${line}`);
      }
      // A docker environment's containers and networks, by the label its docker.json names.
      const { stopDockerLeftovers } = await import('../../runtime/docker/leftovers.ts');
      for (const t of state.targets) if (existsSync(join(t.runDir, 'docker.json'))) await stopDockerLeftovers(t.runDir);
      rmSync(join(resolve(flags.state), 'env.json'), { force: true });
      rmSync(tokenFile(flags.state), { force: true });
      console.log(alive ? `stopped (pid ${state.pid})` : `up (pid ${state.pid}) was gone; stopped its leftovers`);
    });
}
