/**
 * Reports an error thrown by application code the client calls back (a row
 * callback, a log listener) without stopping the client: the browser's
 * `reportError` shows it in the console and fires `window.onerror` like an
 * uncaught error; elsewhere it goes to `console.error`.
 */
export function reportError(error: unknown): void {
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError;
  if (typeof report === 'function') report(error);
  else console.error(error);
}
