// Types for native-build.mjs, so TypeScript tests can import it.
export declare function copyPackageSource(src: string, dest: string): void;
export declare function buildSteps(o: {
  projectDir: string;
  version: string;
  arch: string;
}): { name: string; args: string[]; timeoutMs: number }[];
