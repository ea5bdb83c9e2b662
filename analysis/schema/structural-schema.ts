/**
 * Prepares a CRD's openAPIV3Schema for ajv the way the API server reads it.
 *
 * - Unknown fields: the API server prunes them, and `kubectl apply` (strict field validation,
 *   the default since Kubernetes 1.27) refuses them, so an object schema with `properties` and
 *   no `x-kubernetes-preserve-unknown-fields` gets `additionalProperties: false`.
 * - The root also allows the type and object metadata, which CRD schemas often leave out.
 * - `x-kubernetes-int-or-string` means "integer or string" where no `type` is given.
 *
 * The input is never modified.
 */
export function toStrictSchema(schema: Record<string, unknown>, apiVersion: string, kind: string): object {
  const strict = tighten(schema) as Record<string, unknown>;
  return {
    ...strict,
    type: 'object',
    required: [...new Set([...((strict.required as string[] | undefined) ?? []), 'apiVersion', 'kind', 'metadata'])],
    properties: {
      ...((strict.properties as object | undefined) ?? {}),
      apiVersion: { const: apiVersion },
      kind: { const: kind },
      metadata: { type: 'object' },
    },
  };
}

function tighten(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tighten);
  if (node === null || typeof node !== 'object') return node;
  const schema: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    // Property names are data, not keywords: recurse into each property schema.
    schema[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value as object).map(([name, sub]) => [name, tighten(sub)]))
        : tighten(value);
  }
  if (schema['x-kubernetes-int-or-string'] === true && schema.type === undefined && schema.anyOf === undefined) {
    schema.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (
    schema.properties !== undefined &&
    schema.additionalProperties === undefined &&
    schema['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    schema.additionalProperties = false;
  }
  return schema;
}
