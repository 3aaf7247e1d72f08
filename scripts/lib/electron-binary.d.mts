// Types for electron-binary.mjs, so TypeScript tests can import it.
export declare const NATIVE_FILE: string;
export declare function electronVersion(projectDir: string): string | null;
export declare function nativeBuildPath(projectDir: string, version: string): string;
export declare function findElectronBinary(
  projectDir: string,
): { ok: true; path: string } | { ok: false; reason: string };
export declare function missingBinaryMessage(reason: string): string;
