// The page registry: one line per capability, in navigation order. The shell builds the navigation, the addresses
// (`#/<id>/…`) and the page area from it; a new capability is a folder under pages/ and one line here.
import { definePage, type PageDefinition } from './lib/page.js';
import type { Address } from './lib/router.svelte.js';
import BulkView from './pages/bulk/Page.svelte';
import { BulkPage, acceptsBulkPath } from './pages/bulk/state.svelte.js';
import DiffView from './pages/diff/Page.svelte';
import { DiffPage, parseDiffPath } from './pages/diff/state.svelte.js';
import InboxActions from './pages/inbox/Actions.svelte';
import InboxView from './pages/inbox/Page.svelte';
import { InboxPage, parseInboxPath } from './pages/inbox/state.svelte.js';
import MailboxesView from './pages/mailboxes/Page.svelte';
import { MailboxesPage, acceptsMailboxesPath } from './pages/mailboxes/state.svelte.js';
import SessionsView from './pages/sessions/Page.svelte';
import { SessionsPage, acceptsSessionsPath } from './pages/sessions/state.svelte.js';
import ComposeView from './pages/compose/Page.svelte';
import { ComposePage, parseComposePath } from './pages/compose/state.svelte.js';
import HistoryView from './pages/history/Page.svelte';
import { HistoryPage, acceptsHistoryPath } from './pages/history/state.svelte.js';
import ProfilesView from './pages/profiles/Page.svelte';
import { ProfilesPage, acceptsProfilesPath } from './pages/profiles/state.svelte.js';
import SettingsView from './pages/settings/Page.svelte';
import ToolsView from './pages/tools/Page.svelte';
import { ToolsPage, acceptsToolsPath } from './pages/tools/state.svelte.js';
import { SettingsPage, parseSettingsPath } from './pages/settings/state.svelte.js';
import TemplatesView from './pages/templates/Page.svelte';
import { TemplatesPage, acceptsTemplatesPath } from './pages/templates/state.svelte.js';
import WebhooksView from './pages/webhooks/Page.svelte';
import { WebhooksPage, acceptsWebhooksPath } from './pages/webhooks/state.svelte.js';

export const pages: readonly PageDefinition[] = [
  definePage({
    id: 'inbox',
    label: 'Inbox',
    icon: '✉',
    component: InboxView,
    actions: InboxActions,
    state: (ctx) => new InboxPage(ctx),
    accepts: (p) => parseInboxPath(p) !== null,
  }),
  definePage({
    id: 'mailboxes',
    label: 'Mailboxes',
    icon: '@',
    component: MailboxesView,
    state: () => new MailboxesPage(),
    accepts: acceptsMailboxesPath,
  }),
  definePage({
    id: 'sessions',
    label: 'Sessions',
    icon: '⇄',
    component: SessionsView,
    state: () => new SessionsPage(),
    accepts: acceptsSessionsPath,
  }),
  definePage({
    id: 'compose',
    label: 'Compose',
    icon: '✎',
    component: ComposeView,
    state: () => new ComposePage(),
    accepts: (p) => parseComposePath(p) !== null,
  }),
  definePage({
    id: 'profiles',
    label: 'Profiles',
    icon: '⚑',
    component: ProfilesView,
    state: () => new ProfilesPage(),
    accepts: acceptsProfilesPath,
  }),
  definePage({
    id: 'bulk',
    label: 'Bulk',
    icon: '⇶',
    component: BulkView,
    state: () => new BulkPage(),
    accepts: acceptsBulkPath,
  }),
  definePage({
    id: 'history',
    label: 'History',
    icon: '↗',
    component: HistoryView,
    state: () => new HistoryPage(),
    accepts: acceptsHistoryPath,
  }),
  definePage({
    id: 'tools',
    label: 'Tools',
    icon: '✓',
    component: ToolsView,
    state: () => new ToolsPage(),
    accepts: acceptsToolsPath,
  }),
  definePage({
    id: 'diff',
    label: 'Diff',
    icon: '≠',
    component: DiffView,
    state: () => new DiffPage(),
    accepts: (p) => parseDiffPath(p) !== null,
  }),
  definePage({
    id: 'templates',
    label: 'Templates',
    icon: '▦',
    component: TemplatesView,
    state: () => new TemplatesPage(),
    accepts: acceptsTemplatesPath,
  }),
  definePage({
    id: 'webhooks',
    label: 'Webhooks',
    icon: '↯',
    component: WebhooksView,
    state: () => new WebhooksPage(),
    accepts: acceptsWebhooksPath,
  }),
  definePage({
    id: 'settings',
    label: 'Settings',
    icon: '⚙',
    component: SettingsView,
    state: () => new SettingsPage(),
    accepts: (p) => parseSettingsPath(p) !== null,
  }),
];

export function pageById(id: string): PageDefinition | undefined {
  return pages.find((p) => p.id === id);
}

/** The router's check: a known page, and a path that page understands. */
export function acceptsAddress(address: Address): boolean {
  return pageById(address.page)?.accepts(address.path) ?? false;
}
