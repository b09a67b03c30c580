import type { Form } from './edn.ts';

/** A keyword edn-data reads as its bare name (no namespace, nothing it would read otherwise). */
const KEYWORD = /^:[A-Za-z_*!?][\w*!?<>=.-]*$/;
/** An integer a JavaScript number holds exactly, written as edn-data writes it back (no `-0`, no leading zeros, no `+`). */
const INTEGER = /^-?(?:0|[1-9]\d{0,14})$/;
/** Returned by {@link value} for a form this reader leaves to edn-data. */
const OTHER = Symbol('other');

/**
 * Decodes an op map of the plain shape nearly every history has (`{:process
 * 3, :type :ok, :f :read, :value 4}`: keyword keys; nil, booleans,
 * integers, strings without escapes, keywords, and vectors or lists of
 * those) straight from the forms the scanner found, or returns undefined
 * for anything else, which edn-data then reads. Reading each op with
 * edn-data took most of the time `patternbench check` spent on a 4,000-line
 * history. Gives what edn-data with `plain()` gives (a test holds them
 * together); pure.
 */
export function simpleOp(text: string, form: Form): Record<string, unknown> | undefined {
  const fields: Record<string, unknown> = {};
  const { children } = form;
  for (let i = 0; i < children.length; i += 2) {
    const key = text.slice(children[i].start, children[i].end);
    if (children[i].open !== '' || !KEYWORD.test(key)) return undefined;
    const v = value(text, children[i + 1]);
    if (v === OTHER) return undefined;
    fields[key.slice(1)] = v;
  }
  return fields;
}

function value(text: string, form: Form): unknown {
  if (form.open === '[' || form.open === '(') {
    const out: unknown[] = [];
    for (const child of form.children) {
      const v = value(text, child);
      if (v === OTHER) return OTHER;
      out.push(v);
    }
    return out;
  }
  if (form.open !== '') return OTHER;
  const token = text.slice(form.start, form.end);
  const c = token.charCodeAt(0);
  if (c === 34 /* " */) return token.includes('\\') ? OTHER : token.slice(1, -1);
  if (c === 58 /* : */) return KEYWORD.test(token) ? token.slice(1) : OTHER;
  if (token === 'nil') return null;
  if (token === 'true') return true;
  if (token === 'false') return false;
  return INTEGER.test(token) ? Number(token) : OTHER;
}
