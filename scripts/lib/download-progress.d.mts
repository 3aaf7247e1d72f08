// Types for download-progress.mjs, so TypeScript tests can import it.
export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}
export interface ProgressReporter {
  update(progress: { transferred: number; total?: number }): void;
  finish(): void;
}
export declare function formatBytes(bytes: number): string;
export declare function createProgressReporter(out: ProgressSink, label: string): ProgressReporter;
