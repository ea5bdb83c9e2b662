import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { SCHEMAS_DIR } from '../../core/schemas-dir';
import * as runtime from './ajv-runtime';

/** Where scripts/compile-validators.ts writes the standalone validators (`npm run import`). */
export const VALIDATORS_DIR = join(SCHEMAS_DIR, 'validators');

type ValidatorModule = Record<string, ValidateFunction>;
const loaded = new Map<string, ValidatorModule | undefined>();

/**
 * The standalone validator module at `relative` (e.g. `istio-1.31.0-rc.0/telemetry.istio.io_v1_Telemetry.js`),
 * or undefined when it was not generated; callers then compile the schema with ajv, the same code
 * at a higher cost. A module exports one validator as `default`, or several by name.
 *
 * The module is evaluated here with its `require` of ajv-runtime bound to this process's copy, so
 * it works under any runner (tsx, vitest, compiled JavaScript), whichever extension that file has.
 */
export function precompiled(relative: string): ValidatorModule | undefined {
  if (!loaded.has(relative)) {
    const path = join(VALIDATORS_DIR, relative);
    loaded.set(relative, existsSync(path) ? evaluateModule(path) : undefined);
  }
  return loaded.get(relative);
}

function evaluateModule(path: string): ValidatorModule {
  const module = { exports: {} as ValidatorModule };
  const requireFromModule = (id: string): unknown => (id === runtime.RUNTIME_REQUIRE ? runtime : require(id));
  new Function('module', 'exports', 'require', readFileSync(path, 'utf8'))(module, module.exports, requireFromModule);
  return module.exports;
}

/**
 * The `group/version/Kind` keys a CRD bundle has standalone validators for, from their file names
 * (`telemetry.istio.io_v1_Telemetry.js`; API groups and kinds hold no `_`); empty when none were generated.
 */
export function precompiledKeys(bundle: string): string[] {
  const dir = join(VALIDATORS_DIR, bundle);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.js'))
    .map((file) => file.slice(0, -'.js'.length).replace(/_/g, '/'));
}
