import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPatternbench } from './run-cli.ts';

const pb = runPatternbench;
const dir = mkdtempSync(join(tmpdir(), 'pb-cli-'));

describe('patternbench run refuses bad input in one line, before starting anything', () => {
  it('names the suite file and field', async () => {
    const suite = join(dir, 'bad.yaml');
    writeFileSync(suite, 'name: x\ncases: [{ target: cache-aside }]\nworkload: { rate: -5 }\n');
    const { code, out } = await pb(['run', suite, '--out', join(dir, 'never')]);
    expect(code).toBe(3);
    expect(out).toMatch(new RegExp(`${suite}: field "workload.rate"`));
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('names an unknown target and lists the known ones', async () => {
    const suite = join(dir, 'unknown.yaml');
    writeFileSync(suite, 'name: x\ncases: [{ target: write-behind-ish }]\n');
    const { code, out } = await pb(['run', suite, '--out', join(dir, 'never2')]);
    expect(code).toBe(3);
    expect(out).toMatch(/unknown target "write-behind-ish"; known targets: cache-aside/);
  });

  it('rejects a bad flag through the same schema', async () => {
    const { code, out } = await pb(['run', '--duration', 'forever', '--out', join(dir, 'never3')]);
    expect(code).toBe(3);
    expect(out).toMatch(/field "workload\.duration"/);
  });

  it('names the file and the fault entry for a bad fault attribute, before creating the run folder', async () => {
    const suite = join(dir, 'bad-fault.yaml');
    writeFileSync(suite, 'name: x\ncases: [{ target: cache-aside }]\nfaults: [{ fault: latency, on: target-to-redis, at: 1s, for: 1s, latency: lots }]\n');
    const { code, out } = await pb(['run', suite, '--out', join(dir, 'never5')]);
    expect(code).toBe(3);
    expect(out).toMatch(new RegExp(`${suite}: faults\\[0\\] \\(latency on target-to-redis\\): latency fault: latency: `));
    expect(existsSync(join(dir, 'never5'))).toBe(false);
  });

  it('names a fault on a link the case does not have, before starting anything', async () => {
    const suite = join(dir, 'bad-link.yaml');
    writeFileSync(suite, 'name: badlink\ncases: [{ target: cache-aside }]\nfaults: [{ fault: down, on: target-to-redys, at: 1s, for: 1s }]\n');
    const { code, out } = await pb(['run', suite, '--out', join(dir, 'never6')]);
    expect(code).toBe(3);
    expect(out).toMatch(
      new RegExp(`${suite}: field "faults.0.on": case "cache-aside" has no link "target-to-redys"; its links: target-to-redis, target-to-postgres`),
    );
    expect(existsSync(join(dir, 'never6'))).toBe(false);
  });

  it('takes the suite path after --allow-remote HOST as the suite, not as a second host', async () => {
    const suite = join(dir, 'after-allow.yaml');
    writeFileSync(suite, 'name: x\ncases: [{ target: cache-aside }]\nworkload: { rate: -5 }\n');
    const { code, out } = await pb(['run', '--allow-remote', '10.0.0.1', suite, '--allow-remote', '10.0.0.2', '--out', join(dir, 'never7')]);
    expect(code).toBe(3);
    expect(out).toMatch(new RegExp(`${suite}: field "workload.rate"`));
  });

  it('exits 3 for a usage error in any command: a bad choice, an unknown flag, a missing value, an unknown command', async () => {
    for (const args of [['run', '--runtime', 'foo'], ['run', '--bogus'], ['up', '--targets'], ['fault', 'latency', '--for'], ['no-such-command']]) {
      const { code, out } = await pb(args);
      expect(code, `${args.join(' ')}: ${out}`).toBe(3);
      expect(out).toMatch(/^error: /m);
    }
  });

  it('says in one line that there is no Docker engine and how to use the local runtime', async () => {
    if (existsSync('/var/run/docker.sock') || process.env.DOCKER_HOST) return; // a host with an engine runs containers instead
    const { code, out } = await pb(['run', '--runtime', 'docker', '--out', join(dir, 'never4')]);
    expect(code).toBe(3);
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(out).toMatch(/no Docker engine found .*use the default local runtime: --runtime local/);
    expect(existsSync(join(dir, 'never4'))).toBe(false);
  });
});
