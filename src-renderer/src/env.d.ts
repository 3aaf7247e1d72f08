// Globals the renderer can see: the Electron preload's bridge (absent in a browser).
import type { MailwrightBridge } from '../../src-shared/bridge.js';

declare global {
  interface Window {
    mailwright?: MailwrightBridge;
  }
}

export {};
