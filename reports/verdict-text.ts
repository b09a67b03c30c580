import type { Validity, Verdict } from '../checkers/verdict.ts';

/** `valid`, `INVALID` or `unknown`: the word a terminal line leads with. */
export function validityWord(valid: Validity): string {
  return valid === true ? 'valid' : valid === false ? 'INVALID' : 'unknown';
}

/** Any verdict in one line: its validity and, when it has them, its reason and error. */
export function describeVerdict(v: Verdict): string {
  const why = [v.reason, v.error].filter((x): x is string => typeof x === 'string' && x !== '');
  return `${validityWord(v.valid)}${why.map((w) => ` (${w})`).join('')}`;
}
