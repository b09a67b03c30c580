/**
 * A suite file that does not validate: names the file, the field and what
 * was expected. Its own file, apart from the schema (zod, yaml), so the CLI
 * can recognise it without loading them.
 */
export class SuiteError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'SuiteError';
  }
}
