// The OpenAPI document is generated from the verbs' zod schemas, so each one must convert to JSON Schema: a schema
// zod cannot express (a custom check, a transform on a result) would break the document, not the call.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CALL_NAMES,
  DESKTOP_CALL_NAMES,
  desktopVerbs,
  messageDetailSchema,
  mimeNodeSchema,
  verbs,
  type MimeNode,
} from '../../../src-shared/index.js';

type JsonSchema = Record<string, unknown>;

/** Every `$ref` anywhere in a JSON Schema, with the `$defs` it may point into. */
function refsOf(schema: unknown, out: string[] = []): string[] {
  if (Array.isArray(schema)) for (const s of schema) refsOf(s, out);
  else if (schema && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsOf(v, out);
    }
  }
  return out;
}

function convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io }) as JsonSchema;
  // Survives a JSON round trip (no functions, no undefined), so it can be served as a document.
  expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  // Every reference resolves inside the schema itself, and under a readable name rather than zod's `__schemaN`.
  const defs = (json.$defs ?? {}) as JsonSchema;
  for (const ref of refsOf(json)) {
    const name = /^#\/\$defs\/(.+)$/.exec(ref)?.[1];
    expect(name, `unexpected $ref ${ref}`).toBeDefined();
    expect(defs[name!], `$ref ${ref} has no definition`).toBeDefined();
    expect(name).not.toMatch(/^__schema/);
  }
  return json;
}

const allVerbs = [
  ...CALL_NAMES.map((n) => [n, verbs[n]] as const),
  ...DESKTOP_CALL_NAMES.map((n) => [n, desktopVerbs[n]] as const),
];

describe('contract schemas as JSON Schema', () => {
  it.each(allVerbs)('%s: arguments and result convert', (_name, v) => {
    const args = convert(v.args, 'input');
    expect(args.type).toBe('object');
    const result = convert(v.result, 'output');
    // A result schema that says nothing (z.custom, z.unknown) converts to {} and documents nothing.
    const { $schema: _, ...body } = result;
    expect(Object.keys(body).length).toBeGreaterThan(0);
    expect(JSON.stringify(body)).toMatch(/"type":"object"|"\$ref"/);
  });

  it('names the recursive MIME tree once and refers to it for children', () => {
    const detail = convert(messageDetailSchema, 'output');
    const defs = detail.$defs as Record<string, { properties: { children: { items: unknown } } }>;
    expect(defs.MimeNode).toBeDefined();
    expect(defs.MimeNode!.properties.children.items).toEqual({ $ref: '#/$defs/MimeNode' });
  });

  it('parses a nested MIME tree and refuses a malformed child deep inside it', () => {
    const leaf = (partId: string): MimeNode => ({
      partId,
      contentType: 'text/plain',
      disposition: null,
      filename: null,
      charset: 'utf-8',
      encoding: '7bit',
      size: 3,
      children: [],
    });
    const tree: MimeNode = {
      ...leaf('1'),
      contentType: 'multipart/mixed',
      children: [{ ...leaf('1.1'), children: [leaf('1.1.1')] }],
    };
    expect(mimeNodeSchema.safeParse(tree).success).toBe(true);
    const broken = structuredClone(tree) as unknown as { children: { children: Record<string, unknown>[] }[] };
    delete broken.children[0]!.children[0]!.size;
    const parsed = mimeNodeSchema.safeParse(broken);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['children', 0, 'children', 0, 'size']);
  });
});
