/** A command used wrongly (a bad flag value, a missing --link): the CLI exits 3 with its one-line message. */
export class UsageError extends Error {
  override name = 'UsageError';
}
