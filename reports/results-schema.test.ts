import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../runner/run-suite.ts';
import { type Results, resultsJsonSchema } from './results-schema.ts';

/** A type without its open index signatures (`looseObject`'s), nested: what the runner must write. */
type Known<T> = T extends readonly (infer U)[] ? Known<U>[] : T extends object ? { [K in keyof T as string extends K ? never : K]: Known<T[K]> } : T;

const published = JSON.parse(readFileSync(new URL('../docs/results.schema.json', import.meta.url), 'utf8'));

describe('the published schema of results.json', () => {
  it('is what the zod schema generates (regenerate docs/results.schema.json when this fails)', () => {
    expect(published).toEqual(resultsJsonSchema());
  });

  it('accepts what the runner writes, by type (npm run typecheck fails when they part)', () => {
    const asResults = (r: RunResults): Known<Results> => r;
    expect(asResults).toBeTypeOf('function');
  });

  it('refuses a results.json that is not one, naming the field', () => {
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(published);
    expect(validate({ suite: 'x', status: 'done' })).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toContain('/status');
  });
});
