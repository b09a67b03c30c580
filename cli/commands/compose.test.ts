import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeFiles } from '../../runtime/docker/compose-file.ts';
import { repoRoot } from '../../runtime/local/tools.ts';
import { findPattern, patternNames } from '../../targets/index.ts';

describe('the committed docker-compose.yml', () => {
  it('is what `patternbench compose` writes for the first pattern (the quickstart’s), and so is docker/toxiproxy.json', () => {
    const { pattern } = findPattern(patternNames()[0])!;
    const expected = composeFiles(pattern.topology(pattern.options.parse({})));
    const hint = 'regenerate them with: bin/patternbench compose';
    expect(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), hint).toBe(expected.compose);
    expect(readFileSync(join(repoRoot, 'docker', 'toxiproxy.json'), 'utf8'), hint).toBe(expected.toxiproxy);
  });
});
