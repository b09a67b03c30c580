/** Whether `on` is a name pattern (holds `*`, `|` or `{…,…}`) rather than one name. */
export function isNamePattern(on: string): boolean {
  return on.includes('*') || on.includes('|') || /\{[^{}]*,[^{}]*\}/.test(on);
}

/**
 * The names `on` picks out of `names`, in `names`' order: itself when it is
 * no pattern, else every name it matches. `*` stands for any run of
 * characters (`target*-to-redis` matches `target-to-redis` and
 * `target-2-to-redis`); `|` separates alternatives, any of which may match
 * (`db*|target-*`); `{a,b}` is either alternative within a name, as in a
 * shell (`{shard-b,payment}` matches whichever of the two a topology has: one
 * fault plan can name "the participant" of cases whose topologies differ).
 * Names are slugs, so none of these characters is ever part of one. Pure.
 */
export function matchNames(on: string, names: readonly string[]): string[] {
  if (!isNamePattern(on)) return names.includes(on) ? [on] : [];
  const literal = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
  const alternative = (text: string) =>
    text
      .split(/(\{[^{}]*\})/)
      .map((part) => (/^\{[^{}]*,[^{}]*\}$/.test(part) ? `(?:${part.slice(1, -1).split(',').map(literal).join('|')})` : literal(part)))
      .join('');
  const pattern = new RegExp(`^(?:${on.split('|').map(alternative).join('|')})$`);
  return names.filter((name) => pattern.test(name));
}
