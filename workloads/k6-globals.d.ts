/**
 * k6 provides `console` in every VU, but @types/k6 does not declare it and
 * the DOM lib would bring in much that k6 lacks (fetch, window).
 */
declare const console: {
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
};
