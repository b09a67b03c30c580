import { Command } from 'commander';
import { control, defaultStateDir, readUpState } from '../../runner/control-client.ts';
import { parseDuration } from '../../faults/duration.ts';
import { faultKinds } from '../../faults/kinds.ts';
import { UsageError } from '../../runner/usage-error.ts';

/**
 * `patternbench fault <kind> --link <name> [--<attribute> value …] [--for 30s]`,
 * `fault list`, `fault clear`: acts on the environment of a running `up`.
 * Attributes use Toxiproxy's words (`--latency 100 --jitter 10 --stream
 * downstream --toxicity 0.5`); the fault's own schema validates them.
 */
export function faultCommand(): Command {
  const cmd = new Command('fault')
    .description(`inject a fault into the running environment: ${faultKinds.join(', ')}; or \`fault list\`, \`fault clear\``)
    .argument('<kind>', 'fault kind, or list / clear')
    .option('--link <name>', 'the link (Toxiproxy proxy) a network fault acts on')
    .option('--component <name>', 'the component a process fault acts on')
    .option('--target <name>', 'which target, when several are up')
    .option('--for <duration>', 'revert after this long (default: until `fault clear` or `down`)')
    .option('--state <dir>', 'the state folder of `up`', defaultStateDir)
    .option('--compose', 'act on the environment docker-compose.yml started (Toxiproxy at 127.0.0.1:8474), not on `up`')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(
      async (kind: string, flags: { link?: string; component?: string; target?: string; for?: string; state: string; compose?: boolean }, command: Command) => {
        if (flags.compose) return composeFaultCommand(kind, flags, parseAttributes(command.args.slice(1)));
        const state = readUpState(flags.state);
        if (kind === 'list') return console.log(JSON.stringify(await control(state, 'GET', '/faults'), null, 2));
        if (kind === 'clear') return console.log(JSON.stringify(await control(state, 'DELETE', '/faults')));
        const on = flags.link ?? flags.component;
        if (!on) throw new UsageError(`fault ${kind}: name what it acts on with --link <name> (network) or --component <name> (process)`);
        const body = {
          target: flags.target,
          kind,
          on,
          attributes: parseAttributes(command.args.slice(1)),
          forMs: flags.for === undefined ? undefined : forMs(flags.for),
        };
        console.log(JSON.stringify(await control(state, 'POST', '/faults', body)));
      },
    );
  return cmd;
}

function forMs(text: string): number {
  try {
    return parseDuration(text, '--for');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** `--latency 100 --stream downstream` → `{ latency: 100, stream: 'downstream' }`; numbers become numbers. */
export function parseAttributes(args: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}": attributes are --name value`);
    const [name, inline] = arg.slice(2).split('=', 2);
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`--${name}: expected a value`);
    out[name] = value !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
  }
  return out;
}

/** `fault … --compose`: the same kinds and flags, against a docker-compose environment (runner/compose-faults.ts). */
async function composeFaultCommand(
  kind: string,
  flags: { link?: string; component?: string; for?: string },
  attributes: Record<string, unknown>,
): Promise<void> {
  const { composeFault, listComposeFaults, clearComposeFaults } = await import('../../runner/compose-faults.ts');
  if (kind === 'list') return console.log(JSON.stringify(await listComposeFaults(), null, 2));
  if (kind === 'clear') return console.log(JSON.stringify({ cleared: 'compose', restarted: await clearComposeFaults() }));
  const on = flags.link ?? flags.component;
  if (!on) throw new UsageError(`fault ${kind}: name what it acts on with --link <name> (network) or --component <name> (process)`);
  await composeFault({ kind, on, attributes, forMs: flags.for === undefined ? undefined : forMs(flags.for) }, (line) => console.log(line));
}
