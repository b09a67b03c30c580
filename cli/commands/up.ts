import { Command, Option } from 'commander';
import { defaultStateDir } from '../../runner/control-client.ts';
import { UsageError } from '../../runner/usage-error.ts';

/** `patternbench up`: starts patterns and their components and keeps them running until `down` or Ctrl-C. */
export function upCommand(): Command {
  return new Command('up')
    .description('start an environment and keep it running; inject faults with `fault`, stop with `down`')
    .option('--targets <names>', 'comma-separated patterns, each with its default options (default: the first pattern of the first family)')
    .addOption(new Option('--runtime <runtime>', 'where components run').choices(['local', 'docker']).default('local'))
    .option('--state <dir>', 'where the running environment keeps its state', defaultStateDir)
    .action(async (flags: { targets?: string; runtime: 'local' | 'docker'; state: string }) => {
      // Loaded here, not at the top: `check` and `--help` load no family.
      const { findPattern, patternNames } = await import('../../targets/index.ts');
      const names = flags.targets === undefined ? patternNames().slice(0, 1) : [...new Set(flags.targets.split(',').map((n) => n.trim()))];
      const chosen = names.map((name) => {
        const found = findPattern(name);
        if (!found) throw new UsageError(`--targets: unknown target "${name}"; known: ${patternNames().join(', ')}`);
        return { name, topology: found.pattern.topology(found.pattern.options.parse({})) };
      });
      const { holdEnvironment } = await import('../../runner/up.ts');
      await holdEnvironment({ targets: chosen, runtime: flags.runtime, stateDir: flags.state, print: (l) => console.log(l) });
    });
}
