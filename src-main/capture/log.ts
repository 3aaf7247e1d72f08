// The capture server's small logger: what goes wrong at the listener level, never one line per message.
// Must not import electron, the store or any binding.

export interface CaptureLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Writes warnings and errors to stderr; info stays quiet so benchmarks and tests keep a clean output. */
export const stderrLogger: CaptureLogger = {
  info: () => undefined,
  warn: (message) => console.warn(tagged(message)),
  error: (message) => console.error(tagged(message)),
};

/** Messages that already name their area (`[smtp] listener "x" …`) are not tagged twice. */
function tagged(message: string): string {
  return message.startsWith('[') ? message : `[smtp] ${message}`;
}

export const silentLogger: CaptureLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
