// The settings capability: the verbs over the settings service (read, change live, presets). The service itself,
// with its layers, sealed secrets and sections, is core/settings.ts: every capability's section goes through it.
// Must not import electron, any binding or another capability's folder.
import type { CallName } from '../../src-shared/index.js';
import { canBindLowPorts, listenerPresets } from '../capture/index.js';
import { FAULT_PRESETS, ruleFromPreset } from '../capture/faults/index.js';
import type { Capability, CapabilityDeps } from '../core/capability.js';
import { readJson, restCall, verbBody, verbResponses } from '../core/rest.js';
// Only the connection test: which store this instance runs on is Core's business, never this capability's.
import { probeStore } from '../store/postgres/index.js';

type SettingsVerb = Extract<CallName, `settings.${string}`>;

export function setupSettings(deps: CapabilityDeps): Capability<SettingsVerb> {
  const { settings } = deps;
  return {
    name: 'settings',
    handlers: {
      'settings.get': () => settings.view(),
      'settings.update': (a) => settings.update(a),
      'settings.presets': () => {
        const lowPorts = canBindLowPorts();
        return {
          lowPorts,
          listeners: listenerPresets(lowPorts),
          faults: Object.entries(FAULT_PRESETS).map(([id, p]) => ({
            id,
            name: p.name,
            description: p.description,
            rule: ruleFromPreset(id),
          })),
        };
      },
      'settings.testStore': (a) => probeStore(a),
    },
    routes: [
      {
        method: 'GET',
        path: '/api/settings',
        operation: {
          operationId: 'getSettings',
          summary: 'Current settings (every secret as {"stored": true})',
          tags: ['settings'],
          responses: verbResponses('settings.get'),
        },
        handler: (c) => restCall(c, 'settings.get', {}),
      },
      {
        method: 'PUT',
        path: '/api/settings',
        operation: {
          operationId: 'updateSettings',
          summary:
            'Change settings: each section given replaces the running one after validation; only changed listeners restart',
          tags: ['settings'],
          requestBody: verbBody('settings.update'),
          responses: verbResponses('settings.update'),
        },
        handler: async (c) => restCall(c, 'settings.update', await readJson(c.req)),
      },
      {
        method: 'GET',
        path: '/api/settings/presets',
        operation: {
          operationId: 'getSettingsPresets',
          summary: 'One-click listener presets (25/587/465) and named fault rules',
          tags: ['settings'],
          responses: verbResponses('settings.presets'),
        },
        handler: (c) => restCall(c, 'settings.presets', {}),
      },
      {
        method: 'POST',
        path: '/api/settings/store/test',
        operation: {
          operationId: 'testStore',
          summary:
            'Connect to a PostgreSQL database (5 s connect timeout) and report reachability, the server version and the Mailwright schema version; the password is never echoed',
          tags: ['settings'],
          requestBody: verbBody('settings.testStore'),
          responses: verbResponses('settings.testStore'),
        },
        handler: async (c) => restCall(c, 'settings.testStore', await readJson(c.req)),
      },
    ],
  };
}
