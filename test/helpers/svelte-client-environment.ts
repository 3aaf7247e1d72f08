// A vitest environment for the renderer's state classes: plain Node globals (no DOM library is installed, and the
// state classes need none), but modules are transformed for the client, so `$state`/`$effect` compile to Svelte's
// reactive runtime instead of the server renderer's inert values.
import type { Environment } from 'vitest/environments';

export default {
  name: 'svelte-client',
  viteEnvironment: 'client',
  setup() {
    return { teardown() {} };
  },
} satisfies Environment;
