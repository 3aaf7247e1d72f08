// Entry point of the typed contract shared by the core, the bindings and the renderer.
export * from './types.js';
export * from './settings.js';
export * from './errors.js';
export * from './contract/index.js';
export * from './bridge.js';
