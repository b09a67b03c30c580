import { caching } from './caching/index.ts';
import { isolation } from './isolation/index.ts';
import { consistency } from './consistency/index.ts';
import { transactions } from './transactions/index.ts';
import type { Family, Pattern, Workload } from './family.ts';

export type { CaseFiles, Check, Family, Pattern, Workload } from './family.ts';

/** Every family by name; an explicit map, not registration by import. */
export const families: Readonly<Record<string, Family>> = {
  [caching.name]: caching,
  [isolation.name]: isolation,
  [consistency.name]: consistency,
  [transactions.name]: transactions,
};

/** The family and pattern a suite case's `target` names (pattern names are unique across families), or undefined. */
export function findPattern(name: string, registry: Readonly<Record<string, Family>> = families): { family: Family; pattern: Pattern } | undefined {
  for (const family of Object.values(registry)) {
    const pattern = family.patterns[name];
    if (pattern && Object.hasOwn(family.patterns, name)) return { family, pattern };
  }
  return undefined;
}

/** The family and workload of a k6 script path (as a suite writes it, relative to the repository root), or undefined. */
export function findWorkload(script: string, registry: Readonly<Record<string, Family>> = families): { family: Family; workload: Workload } | undefined {
  const normal = script.replace(/^\.\//, '');
  for (const family of Object.values(registry)) {
    const workload = family.workloads.find((w) => w.script === normal);
    if (workload) return { family, workload };
  }
  return undefined;
}

/** Every pattern name, family by family, for error messages and `--help`. */
export function patternNames(registry: Readonly<Record<string, Family>> = families): string[] {
  return Object.values(registry).flatMap((f) => Object.keys(f.patterns));
}
