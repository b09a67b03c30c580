import { Command } from 'commander';

/** A command whose name is reserved for a later issue: it says so and exits 3, never pretending to work. */
export function reservedCommand(name: string, description: string): Command {
  return new Command(name)
    .description(`${description} (not available yet)`)
    .allowUnknownOption()
    .argument('[args...]')
    .action(() => {
      console.error(
        `patternbench ${name}: not available yet — it arrives with the reports issue. The run folder already holds results.json, history.jsonl and k6-dashboard.html.`,
      );
      process.exitCode = 3;
    });
}
