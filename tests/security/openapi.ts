// The app's own OpenAPI document as a list of operations, so the security suites cover every route, including the
// ones added after them.
import type { App } from '../../api/app.js';
import type { Role } from '../../domain/types.js';

export interface JsonSchema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  nullable?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
}

export interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI path with {param} placeholders. */
  path: string;
  roles: Role[] | null;
  parameters: Parameter[];
  /** Media types the request body may have, with their schemas. */
  body: Record<string, JsonSchema> | null;
}

export const mutatingMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Every operation under /api/v1. */
export async function apiOperations(app: App): Promise<Operation[]> {
  const res = await app.inject('/docs/json');
  const doc = res.json() as { paths: Record<string, Record<string, Record<string, unknown>>> };
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/v1/')) continue;
    for (const [method, op] of Object.entries(methods)) {
      const upper = method.toUpperCase();
      if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(upper)) continue;
      const content = (op.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)?.content;
      operations.push({
        method: upper as Operation['method'],
        path,
        roles: (op['x-roles'] as Role[] | undefined) ?? null,
        parameters: (op.parameters as Parameter[] | undefined) ?? [],
        body: content ? Object.fromEntries(Object.entries(content).map(([type, c]) => [type, c.schema])) : null,
      });
    }
  }
  return operations;
}

export const describeOperation = (op: Pick<Operation, 'method' | 'path'>) => `${op.method} ${op.path}`;

/** The path with every parameter replaced: by `values[name]` when given, else by `fallback`. */
export function fillPath(path: string, fallback: string, values: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? fallback);
}

export const pathParameters = (op: Operation) => op.parameters.filter((p) => p.in === 'path');
export const queryParameters = (op: Operation) => op.parameters.filter((p) => p.in === 'query');

const patternCandidates = [
  '6371',
  '63',
  '1234567890123',
  '10792',
  '08:00',
  '2026',
  '2026-03-02',
  '2026-03',
  'halal-regular',
  'abc',
  'ABC',
  'a1',
];

/**
 * The non-null alternative of a nullable or union schema. An object's own anyOf/oneOf is a cross-field rule (which
 * properties go together): the first alternative's required properties join the object's.
 */
function concrete(schema: JsonSchema): JsonSchema {
  const options = schema.anyOf ?? schema.oneOf ?? schema.allOf;
  if (options && schema.properties) {
    return { ...schema, required: [...new Set([...(schema.required ?? []), ...(options[0]!.required ?? [])])] };
  }
  if (options) return concrete(options.find((o) => o.type !== 'null') ?? options[0]!);
  if (Array.isArray(schema.type)) return { ...schema, type: schema.type.find((t) => t !== 'null') };
  return schema;
}

/**
 * A value the schema most likely accepts: required properties (or the first, when none is), the first enum value, a pattern's first matching
 * candidate. Good enough for the validator to let a request through to the handler in most routes, which is all the
 * suites need to reach the code behind validation.
 */
export function plausibleValue(schema: JsonSchema): unknown {
  const s = concrete(schema);
  if (s.enum) return s.enum[0];
  switch (s.type) {
    case 'object': {
      const names = Object.keys(s.properties ?? {});
      // An update with every field optional usually still wants one.
      const chosen = s.required?.length ? s.required.filter((n) => names.includes(n)) : names.slice(0, 1);
      return Object.fromEntries(chosen.map((name) => [name, plausibleValue(s.properties![name]!)]));
    }
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => plausibleValue(s.items ?? {}));
    case 'integer':
    case 'number':
      return Math.min(s.minimum ?? 1, s.maximum ?? Number.MAX_SAFE_INTEGER);
    case 'boolean':
      return false;
    case 'string':
      return plausibleString(s);
    default:
      return s.default ?? null;
  }
}

function plausibleString(s: JsonSchema): string {
  switch (s.format) {
    case 'uuid':
      return '7b0f5d2e-3c41-4c1a-9a57-0d6f1e2a9b10';
    case 'email':
      return 'ikm@example.id';
    case 'date':
      return '2026-03-02';
    case 'date-time':
      return '2026-03-02T01:00:00.000Z';
    case 'uri':
      return 'https://example.id/';
  }
  const length = Math.max(s.minLength ?? 1, 3);
  if (s.pattern) {
    const pattern = new RegExp(s.pattern, 'u');
    return patternCandidates.find((c) => pattern.test(c)) ?? 'x'.repeat(length);
  }
  return 'x'.repeat(Math.min(length, s.maxLength ?? length));
}

/** The JSON body schema of an operation, if it takes JSON. */
export const jsonBodySchema = (op: Operation): JsonSchema | null => op.body?.['application/json'] ?? null;

/** The path with plausible values for its parameters, or the given ones. */
export function plausiblePath(op: Operation, values: Record<string, string> = {}): string {
  const plausible = Object.fromEntries(
    pathParameters(op).map((p) => [p.name, encodeURIComponent(String(plausibleValue(p.schema)))]),
  );
  return fillPath(op.path, 'x', { ...plausible, ...values });
}

/** Plausible values for the query parameters an operation requires. */
export function requiredQuery(op: Operation): Record<string, string> {
  return Object.fromEntries(
    queryParameters(op)
      .filter((p) => p.required)
      .map((p) => [p.name, String(plausibleValue(p.schema))]),
  );
}
