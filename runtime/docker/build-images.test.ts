import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aptSources } from './build-images.ts';

const dir = mkdtempSync(join(tmpdir(), 'patternbench-apt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('aptSources', () => {
  it("takes debootstrap's mirror and the bookworm sources from deb822 and one-line files, leaving other suites and repositories out", () => {
    mkdirSync(join(dir, 'sources.list.d'), { recursive: true });
    writeFileSync(
      join(dir, 'sources.list.d', 'debian.sources'),
      [
        'Types: deb',
        'URIs: http://mirror.example/debian',
        'Suites: bookworm bookworm-updates',
        'Components: main',
        '',
        'Types: deb-src',
        'URIs: http://mirror.example/debian',
        'Suites: bookworm',
        'Components: main',
        '',
        'Types: deb',
        'URIs: http://security.example/debian-security',
        'Suites: bookworm-security',
        'Components: main contrib',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'sources.list.d', 'other.list'), 'deb [signed-by=/k.gpg] https://vendor.example/apt nodistro main\n');
    expect(aptSources(dir)).toEqual({
      mirror: 'http://mirror.example/debian',
      lines: [
        'deb http://mirror.example/debian bookworm main',
        'deb http://mirror.example/debian bookworm-updates main',
        'deb http://security.example/debian-security bookworm-security main contrib',
      ],
    });
  });

  it('falls back to deb.debian.org where apt names no bookworm source', () => {
    expect(aptSources(join(dir, 'nowhere'))).toEqual({ mirror: 'http://deb.debian.org/debian', lines: ['deb http://deb.debian.org/debian bookworm main'] });
  });
});
