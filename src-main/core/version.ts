// The app version, taken from package.json at build time: the bundler inlines this one field into out/main
// (and so into the packaged app, whose asar needs no package.json read at run time), and vitest and tsx
// resolve the same import from source. There is no second copy to keep in step.
import { version } from '../../package.json';

export const VERSION: string = version;
