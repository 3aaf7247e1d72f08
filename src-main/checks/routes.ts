// The checks' REST routes, each one verb, with its OpenAPI operation beside it.
// Must not import electron, serve/ or another capability's folder.
import { z } from 'zod';
import { MailwrightError, checksVerbs } from '../../src-shared/index.js';
import { parseId, readJson, restCall, type JsonSchema, type RestRoute } from '../core/rest.js';

function schema(s: z.ZodType): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'output', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const ok = (s: z.ZodType, description: string) => ({
  '200': { description, content: { 'application/json': { schema: schema(s) } } },
  '400': { description: 'Invalid argument' },
  '404': { description: 'No such message' },
});
const idParam = { name: 'id', in: 'path' as const, required: true, schema: { type: 'integer', minimum: 1 } };

export const checksRoutes: readonly RestRoute[] = [
  {
    method: 'GET',
    path: '/api/messages/{id}/checks',
    operation: {
      operationId: 'getMessageChecks',
      summary: 'Every offline check of a message: authentication, lint, compatibility, DSN',
      description:
        'Cached per message; `refresh=1` re-runs. `ip`, `helo` and `mailFrom` evaluate SPF and DMARC as if the ' +
        'message came from there (not cached). `clients` (comma-separated caniemail globs) chooses the clients scored.',
      tags: ['checks'],
      parameters: [
        idParam,
        { name: 'refresh', in: 'query', schema: { type: 'string', enum: ['0', '1'] } },
        { name: 'ip', in: 'query', schema: { type: 'string' } },
        { name: 'helo', in: 'query', schema: { type: 'string' } },
        { name: 'mailFrom', in: 'query', schema: { type: 'string' } },
        { name: 'clients', in: 'query', schema: { type: 'string' } },
      ],
      responses: ok(checksVerbs['checks.message'].result, 'The checks'),
    },
    handler: (c) => {
      const q = c.query;
      const clients = q.get('clients');
      return restCall(c, 'checks.message', {
        id: parseId(c.params.id),
        ...(q.get('refresh') === '1' ? { refresh: true } : {}),
        ...(q.get('ip') ? { ip: q.get('ip') } : {}),
        ...(q.get('helo') ? { helo: q.get('helo') } : {}),
        ...(q.get('mailFrom') !== null ? { mailFrom: q.get('mailFrom') } : {}),
        ...(clients
          ? {
              clients: clients
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            }
          : {}),
      });
    },
  },
  {
    method: 'GET',
    path: '/api/messages/{id}/checks/spam',
    operation: {
      operationId: 'getMessageSpamReport',
      summary: 'The SpamAssassin report of a message (spamd at the setting, or 127.0.0.1:783)',
      description: 'When spamd cannot be reached the answer says so in `error` ("spamd not reachable at host:port").',
      tags: ['checks'],
      parameters: [idParam, { name: 'spamd', in: 'query', schema: { type: 'string' }, description: 'host:port' }],
      responses: ok(checksVerbs['checks.spam'].result, 'The report'),
    },
    handler: (c) =>
      restCall(c, 'checks.spam', {
        id: parseId(c.params.id),
        ...(c.query.get('spamd') ? { spamd: c.query.get('spamd') } : {}),
      }),
  },
  {
    method: 'POST',
    path: '/api/messages/{id}/checks/links',
    operation: {
      operationId: 'checkMessageLinks',
      summary: 'Check every link and image URL of a message (on demand)',
      description:
        'HEAD (GET when a server answers HEAD wrongly; bodies are never read), at most 10 redirects, a timeout per ' +
        'link and a per-host pace. Loopback and private addresses are refused unless `allowPrivate` (or the ' +
        '`checks.linksAllowPrivate` setting) allows them; one-time-looking links are reported as `confirm` and ' +
        'only checked when `confirm` names them. The body is optional.',
      tags: ['checks'],
      parameters: [idParam],
      requestBody: {
        required: false,
        content: {
          'application/json': { schema: schema(checksVerbs['checks.links'].args.omit({ id: true })) },
        },
      },
      responses: ok(checksVerbs['checks.links'].result, 'The link report'),
    },
    handler: async (c) => {
      const body = await readJson(c.req);
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new MailwrightError('invalid_argument', 'the body must be a JSON object');
      return restCall(c, 'checks.links', { ...body, id: parseId(c.params.id) });
    },
  },
  {
    method: 'GET',
    path: '/api/tools/domain',
    operation: {
      operationId: 'checkDomain',
      summary: "A domain's SPF, DMARC, DKIM key (with a selector) and MX, fetched and linted",
      tags: ['checks'],
      parameters: [
        { name: 'domain', in: 'query', required: true, schema: { type: 'string' } },
        { name: 'selector', in: 'query', schema: { type: 'string' } },
      ],
      responses: ok(checksVerbs['checks.domain'].result, 'The domain report'),
    },
    handler: (c) =>
      restCall(c, 'checks.domain', {
        domain: c.query.get('domain') ?? '',
        ...(c.query.get('selector') ? { selector: c.query.get('selector') } : {}),
      }),
  },
  {
    method: 'GET',
    path: '/api/messages/{id}/checks/blocklists',
    operation: {
      operationId: 'getMessageBlocklists',
      summary: "The sending IP and the link domains of a message in the settings' DNSBL and URIBL zones",
      description:
        "Each zone's answer with the meaning of its return code; `ip` looks that address up instead of the " +
        "session's client address (a local capture always comes from loopback, which is not looked up).",
      tags: ['checks'],
      parameters: [idParam, { name: 'ip', in: 'query', schema: { type: 'string' } }],
      responses: ok(checksVerbs['checks.blocklists'].result, 'The answers'),
    },
    handler: (c) =>
      restCall(c, 'checks.blocklists', {
        id: parseId(c.params.id),
        ...(c.query.get('ip') ? { ip: c.query.get('ip') } : {}),
      }),
  },
  {
    method: 'GET',
    path: '/api/tools/blocklist',
    operation: {
      operationId: 'lookupBlocklists',
      summary: 'An IP address in the DNSBL zones, or a domain in the URIBL zones, of the settings',
      tags: ['checks'],
      parameters: [{ name: 'target', in: 'query', required: true, schema: { type: 'string' } }],
      responses: ok(checksVerbs['checks.blocklistLookup'].result, 'The answers'),
    },
    handler: (c) => restCall(c, 'checks.blocklistLookup', { target: c.query.get('target') ?? '' }),
  },
  {
    method: 'POST',
    path: '/api/tools/address',
    operation: {
      operationId: 'verifyAddress',
      summary: 'Address verification: RFC 5322 syntax, MX (A/AAAA fallback), hints, optional SMTP probe to RCPT',
      description:
        '`{address, probe?}`. `probe: true` asks the MX hosts on port 25 (EHLO, MAIL FROM, RCPT TO, QUIT; never ' +
        'DATA); `probe: {host, port, mailFrom, helo, timeoutMs}` asks that server instead.',
      tags: ['checks'],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: schema(checksVerbs['checks.address'].args) } },
      },
      responses: ok(checksVerbs['checks.address'].result, 'The report'),
    },
    handler: async (c) => restCall(c, 'checks.address', await readJson(c.req)),
  },
  {
    method: 'POST',
    path: '/api/messages/badges',
    operation: {
      operationId: 'getCheckBadges',
      summary: 'Cached check figures (DKIM, DMARC, spam and compatibility scores) for a list of messages',
      tags: ['checks'],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: schema(checksVerbs['checks.badges'].args) } },
      },
      responses: ok(checksVerbs['checks.badges'].result, 'Badges of the messages that were checked'),
    },
    handler: async (c) => restCall(c, 'checks.badges', await readJson(c.req)),
  },
];
