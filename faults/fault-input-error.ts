/**
 * A fault request that cannot be honoured as given: unknown kind, unknown
 * link or component, bad attribute, a component without the capability. The
 * CLI and control API answer it as bad input (exit 3, HTTP 400), not as a
 * failure of the system under test.
 */
export class FaultInputError extends Error {
  override name = 'FaultInputError';
}
