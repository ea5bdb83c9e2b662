import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_TYPES_FILE, configTypesSource } from '../scripts/config-types';

describe('the config format', () => {
  it('has one source: its TypeScript types are generated from the JSON schema, and up to date', async () => {
    // After changing schemas/observability.schema.json: npm run generate:config-types
    expect(readFileSync(CONFIG_TYPES_FILE, 'utf8')).toBe(await configTypesSource());
  });
});
