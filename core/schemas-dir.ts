import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The package's `schemas/` folder (the config file schema, the vendored CRDs, the precompiled
 * validators). Found from this file's folder upwards, so it is the same from the sources
 * (`constructs/`), the build (`lib/constructs/`) and an installed package.
 */
export const SCHEMAS_DIR = findSchemasDir(__dirname);

function findSchemasDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schemas'))) return join(dir, 'schemas');
    if (dirname(dir) === dir) throw new Error(`no schemas/ folder next to a package.json above ${from}`);
  }
}
