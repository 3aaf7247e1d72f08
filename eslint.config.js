// One lint for the whole tree: typescript-eslint (type-aware, from the two tsconfigs that already split
// Node code from renderer code), eslint-plugin-svelte for components, and eslint-config-prettier last so
// no stylistic rule argues with Prettier, which owns layout.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'bench/results/**',
      'bench/.maildev/**',
      'test-results/**',
      'playwright-report/**',
      '.native/**',
      'test/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...svelte.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        // Two programs, as tsc and svelte-check see them: Node-side code and the renderer.
        project: ['./tsconfig.json', './tsconfig.renderer.json'],
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
    rules: {
      // `== null` is the one loose comparison the code uses on purpose: it means null or undefined.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // Protocol and message code matches control characters on purpose: it strips or rejects them in hostile input.
      'no-control-regex': 'off',
      // String(unknown) is how a hostile or odd value is shown in an error or log line; '[object Object]' is an
      // honest rendering there, and the alternative is a type switch at every such place.
      '@typescript-eslint/no-base-to-string': 'off',
      // Passing on a caught value (`catch (err) { return Promise.reject(err) }`) keeps the original error.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: ['src-renderer/**/*.{ts,svelte}', 'test/unit/renderer/state/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, svelteConfig },
    },
    rules: {
      // State classes keep plain Maps as private caches and bump a $state counter when they change, on purpose:
      // a SvelteMap would make every read reactive and every cache fill a re-render.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    // typescript-eslint's program cannot resolve a `.svelte` import (svelte-check can, and checks these files),
    // so a component instance or a template event is `any` to it: these rules would only report that gap.
    files: ['**/*.svelte'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    // Subclasses smtp-server to replace its greeting timer, so it calls the library's untyped internals.
    files: ['src-main/capture/fast-greeting.ts'],
    rules: { '@typescript-eslint/no-unsafe-argument': 'off' },
  },
  {
    // Plain JavaScript (configs, build scripts, the fault-injection preload) is in no tsconfig: lint it
    // without type information rather than invent a third program for five files.
    files: ['**/*.{js,mjs,cjs}'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // electron-builder loads its afterPack hook with require().
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests build partial fakes of Electron and library objects and feed malformed payloads on purpose; the
    // fakes implement async interfaces with synchronous bodies. Type safety there is the code under test's job.
    files: ['test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Playwright reads a fixture's dependencies from its destructuring pattern; `{}` means "none".
    files: ['test/e2e/**', 'examples/**'],
    rules: { 'no-empty-pattern': 'off' },
  },
  prettier,
  ...svelte.configs.prettier,
);
