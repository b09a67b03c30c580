import { Command, CommanderError } from 'commander';
import { runCommand } from './commands/run.ts';
import { upCommand } from './commands/up.ts';
import { downCommand } from './commands/down.ts';
import { faultCommand } from './commands/fault.ts';
import { composeCommand } from './commands/compose.ts';
import { checkCommand } from './commands/check.ts';
import { reportCommand } from './commands/report.ts';
import { compareCommand } from './commands/compare.ts';
import { UsageError } from '../runner/usage-error.ts';
import { SuiteError } from '../runner/suite-error.ts';
import { FaultInputError } from '../faults/fault-input-error.ts';
import { HistoryError } from '../history/parse.ts';

/**
 * `patternbench`: run suites, hold an environment up, inject faults into it,
 * check histories. Exit codes: 0 ok, 1 a verdict or run failed, 2 unknown,
 * 3 bad input or usage.
 *
 * Every command is defined here, but what runs environments (the runtime,
 * the runner, Toxiproxy's client, the suite schema) is imported by the
 * command that needs it, when it runs: loaded up front it more than doubled
 * the start-up of `check` and `--help`.
 */
// A reader that stops early (`patternbench check … | head`) closes the pipe:
// further output is dropped rather than crashing the command, which then
// finishes its work (and its cleanup) and exits with its own code.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

const program = new Command('patternbench')
  .description('Benchmark and chaos-test data-management patterns on real Redis, PostgreSQL and etcd.')
  .showHelpAfterError()
  .exitOverride();

program.addCommand(runCommand());
program.addCommand(upCommand());
program.addCommand(downCommand());
program.addCommand(faultCommand());
program.addCommand(composeCommand());
program.addCommand(checkCommand());
program.addCommand(reportCommand());
program.addCommand(compareCommand());
// A command added whole does not inherit the program's settings: without
// this, a usage error inside one (`run --runtime foo`) exits 1, as a failed run does.
for (const command of program.commands) command.exitOverride().showHelpAfterError();

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 3);
  console.error(`patternbench: ${(err as Error).message}`);
  process.exit(isBadInput(err) ? 3 : 1);
}

/** Errors that mean the user's input was wrong (exit 3), as opposed to a run that failed (exit 1). */
function isBadInput(err: unknown): boolean {
  return err instanceof SuiteError || err instanceof FaultInputError || err instanceof HistoryError || err instanceof UsageError;
}
