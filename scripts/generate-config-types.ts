/**
 * Writes app/config/observability-config.generated.ts from schemas/observability.schema.json.
 * test/config-types.test.ts fails when the file is out of date.
 *
 * Usage: tsx scripts/generate-config-types.ts
 */
import { writeFileSync } from 'node:fs';
import { CONFIG_TYPES_FILE, configTypesSource } from './config-types';

configTypesSource().then((source) => writeFileSync(CONFIG_TYPES_FILE, source));
