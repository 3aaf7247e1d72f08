// How a long download shows its progress: one line rewritten in place on a terminal, a handful of lines in a log
// (CI, a pipe), so a slow download is visibly alive without flooding either.

/** A log gets a line per quarter: enough to see it move, few enough to read. */
const LOG_STEP_PERCENT = 25;
/** Without a Content-Length there is no percent; a log line every this many bytes instead. */
const LOG_STEP_BYTES = 25 * 1024 * 1024;

export function formatBytes(bytes) {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * @param {{ write(text: string): unknown, isTTY?: boolean }} out
 * @param {string} label e.g. "Electron 39.5.0"
 */
export function createProgressReporter(out, label) {
  const tty = Boolean(out.isTTY);
  let lastText = '';
  let nextLogPercent = LOG_STEP_PERCENT;
  let nextLogBytes = LOG_STEP_BYTES;
  let lineOpen = false;
  let finished = false;

  const describe = (transferred, total) =>
    total
      ? `${formatBytes(transferred)} of ${formatBytes(total)} (${Math.floor((transferred / total) * 100)}%)`
      : formatBytes(transferred);

  return {
    /** got's progress object: { transferred, total?, percent }. */
    update({ transferred, total }) {
      if (finished) return;
      if (tty) {
        const text = `Downloading ${label}: ${describe(transferred, total)}`;
        if (text === lastText) return;
        // \r and clear-to-end-of-line: the new text may be shorter than the old one.
        out.write(`\r${text}\x1b[K`);
        lastText = text;
        lineOpen = true;
        return;
      }
      const percent = total ? Math.floor((transferred / total) * 100) : undefined;
      if (percent !== undefined ? percent >= nextLogPercent : transferred >= nextLogBytes) {
        out.write(`  ${describe(transferred, total)}\n`);
        if (percent !== undefined) nextLogPercent = (Math.floor(percent / LOG_STEP_PERCENT) + 1) * LOG_STEP_PERCENT;
        else nextLogBytes = (Math.floor(transferred / LOG_STEP_BYTES) + 1) * LOG_STEP_BYTES;
      }
    },
    /** Ends the progress display; the next output starts on a line of its own. */
    finish() {
      finished = true;
      if (lineOpen) out.write('\n');
      lineOpen = false;
    },
  };
}
