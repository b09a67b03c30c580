import { Command, Option } from 'commander';
import { targets } from '../../targets/index.ts';
import type { Target } from '../../targets/target.ts';
import { defaultStateDir } from '../../runner/control-client.ts';
import { UsageError } from '../../runner/usage-error.ts';

/** `patternbench up`: starts targets and their components and keeps them running until `down` or Ctrl-C. */
export function upCommand(): Command {
  return new Command('up')
    .description('start an environment and keep it running; inject faults with `fault`, stop with `down`')
    .option('--targets <names>', `comma-separated targets (${Object.keys(targets).join(', ')})`, 'cache-aside')
    .addOption(new Option('--runtime <runtime>', 'where components run').choices(['local', 'docker']).default('local'))
    .option('--state <dir>', 'where the running environment keeps its state', defaultStateDir)
    .action(async (flags: { targets: string; runtime: 'local' | 'docker'; state: string }) => {
      const chosen = [...new Set(flags.targets.split(',').map((n) => n.trim()))].map((name) => {
        const t = (targets as Record<string, Target>)[name.trim()];
        if (!t) throw new UsageError(`--targets: unknown target "${name}"; known: ${Object.keys(targets).join(', ')}`);
        return t;
      });
      const { holdEnvironment } = await import('../../runner/up.ts');
      await holdEnvironment({ targets: chosen, runtime: flags.runtime, stateDir: flags.state, print: (l) => console.log(l) });
    });
}
