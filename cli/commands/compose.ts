import { Command } from 'commander';
import { UsageError } from '../../runner/usage-error.ts';

/**
 * `patternbench compose [--target name]`: writes docker-compose.yml and
 * docker/toxiproxy.json at the repository's root for a pattern's topology
 * (its default options), from the plan the docker runtime starts. The
 * committed files are the first pattern's (the quickstart's cache-aside); a
 * test keeps them equal to what this writes.
 */
export function composeCommand(): Command {
  return new Command('compose')
    .description("write docker-compose.yml and docker/toxiproxy.json for a pattern's topology (default: the first pattern, the quickstart's)")
    .option('--target <name>', 'the pattern, with its default options')
    .action(async (flags: { target?: string }) => {
      // Loaded here, not at the top: `check` and `--help` load no family.
      const { findPattern, patternNames } = await import('../../targets/index.ts');
      const name = flags.target ?? patternNames()[0];
      const found = findPattern(name);
      if (!found) throw new UsageError(`--target: unknown target "${name}"; known: ${patternNames().join(', ')}`);
      const { writeComposeFiles } = await import('../../runtime/docker/compose-file.ts');
      const written = writeComposeFiles(found.pattern.topology(found.pattern.options.parse({})));
      console.log(`wrote ${written.join(', ')} for ${name}; start it with: docker-compose up -d --build`);
    });
}
