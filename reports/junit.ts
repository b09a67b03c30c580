import type { Verdict } from '../checkers/verdict.ts';
import { describeVerdict } from './verdict-text.ts';
import type { Regression, ThresholdOutcome } from './results-schema.ts';
import type { RunModel } from './run-model.ts';

/**
 * XML text: the five entities escaped, and the characters XML 1.0 cannot
 * hold at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) replaced by
 * U+FFFD, since a history may carry anything a client received. Pure.
 */
export function xmlText(value: unknown): string {
  return String(value)
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

interface TestCase {
  classname: string;
  name: string;
  /** A failure's message and text; absent: passed. */
  failure?: { message: string; text: string };
  /** Could not be decided (a verdict `unknown`): JUnit's error. */
  error?: { message: string; text: string };
  skipped?: string;
}

/**
 * junit.xml for CI: one `<testsuite>` a case (pattern), one `<testcase>` a
 * check (`false` a failure, `unknown` an error, a case that never reached
 * its checks a failure of each check it asked for), one a threshold, and one
 * for the baseline when the run was compared with one. Pure.
 */
export function renderJunit(
  run: RunModel,
  extras: { thresholds: readonly ThresholdOutcome[]; baseline?: { dir: string; regressions: readonly Regression[] } },
): string {
  const totals = { tests: 0, failures: 0, errors: 0 };
  const suites = run.cases.map((c) => {
    const name = c.result.name;
    const tests: TestCase[] = [];
    const results = c.result.checks?.results ?? {};
    for (const [check, v] of Object.entries(results)) tests.push(checkCase(name, check, v as Verdict));
    if (Object.keys(results).length === 0 && c.result.status !== 'completed') {
      tests.push({ classname: name, name: 'run', failure: { message: `case ${c.result.status}`, text: c.result.error ?? '' } });
    }
    for (const t of extras.thresholds.filter((o) => o.case === name)) {
      const test: TestCase = { classname: `${name}.thresholds`, name: `${t.figure} ${t.expected}` };
      const message = `${t.figure} is ${t.actual === null ? 'missing' : String(t.actual)}, expected ${t.expected}`;
      if (t.pass === false) test.failure = { message, text: message };
      else if (t.pass === 'unknown') test.error = { message, text: message };
      tests.push(test);
    }
    if (extras.baseline) {
      const mine = extras.baseline.regressions.filter((g) => g.case === name);
      const text = mine.map((g) => `${g.figure}: ${String(g.baseline)} → ${String(g.value)}`).join('\n');
      tests.push({
        classname: `${name}.baseline`,
        name: `no regression against ${extras.baseline.dir}`,
        ...(mine.length ? { failure: { message: `${mine.length} figure(s) regressed`, text } } : {}),
      });
    }
    const count = (k: 'failure' | 'error' | 'skipped') => tests.filter((t) => t[k] !== undefined).length;
    totals.tests += tests.length;
    totals.failures += count('failure');
    totals.errors += count('error');
    const body = tests.map(testcaseXml).join('\n');
    return `  <testsuite name="${xmlText(name)}" tests="${tests.length}" failures="${count('failure')}" errors="${count('error')}" skipped="${count('skipped')}">\n${body}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="${xmlText(run.results.suite)}" tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}">
${suites.join('\n')}
</testsuites>
`;
}

function checkCase(caseName: string, check: string, v: Verdict): TestCase {
  const test: TestCase = { classname: caseName, name: check };
  const line = describeVerdict(v);
  const text = JSON.stringify(v, null, 1).slice(0, 20_000);
  if (v.valid === false) test.failure = { message: line, text };
  else if (v.valid !== true) test.error = { message: line, text };
  return test;
}

function testcaseXml(t: TestCase): string {
  const open = `    <testcase classname="${xmlText(t.classname)}" name="${xmlText(t.name)}"`;
  const inner = t.failure
    ? `<failure message="${xmlText(t.failure.message)}">${xmlText(t.failure.text)}</failure>`
    : t.error
      ? `<error message="${xmlText(t.error.message)}">${xmlText(t.error.text)}</error>`
      : t.skipped
        ? `<skipped message="${xmlText(t.skipped)}"/>`
        : '';
  return inner ? `${open}>${inner}</testcase>` : `${open}/>`;
}
