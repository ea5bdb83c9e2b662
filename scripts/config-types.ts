import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compile } from 'json-schema-to-typescript';

const ROOT = resolve(__dirname, '..');
const SCHEMA = join(ROOT, 'schemas', 'observability.schema.json');
/** The config format's TypeScript types, generated from its JSON schema: the schema is the one source. */
export const CONFIG_TYPES_FILE = join(ROOT, 'app', 'config', 'observability-config.generated.ts');

const HEADER = `/**
 * The types of observability.yaml, generated from schemas/observability.schema.json by
 * scripts/generate-config-types.ts (json-schema-to-typescript); do not edit. The schema is the
 * one source of the config format: change it, then run \`npm run generate:config-types\`.
 * observability-config.ts gives these types their public, read-only names.
 */
/* eslint-disable */
`;

/** The generated file's text for the schema as it is now. */
export async function configTypesSource(): Promise<string> {
  const schema = JSON.parse(readFileSync(SCHEMA, 'utf8'));
  // The root's title names the editor's schema; the generated root type is named here instead.
  delete schema.title;
  delete schema.$id;
  const body = await compile(schema, 'ObservabilityConfigDocument', {
    bannerComment: '',
    additionalProperties: false,
    unreachableDefinitions: true,
    format: false,
  });
  return `${HEADER}${body}`;
}
