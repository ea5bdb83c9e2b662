import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'cdk8s';
import { Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { ConfigFile } from '../../constructs/config/config-file';
import { ObservabilityStack } from '../../constructs/stacks/observability-stack';
import { synthAtomically } from '../../constructs/synth/atomic-synth';

/** Synthesizes what `build` adds to a fresh app as one multi-document YAML string (charts in creation order). */
export function synthYaml(build: (app: App) => void): string {
  const app = Testing.app();
  build(app);
  return app.synthYaml();
}

/** Every file of a folder, by name, in name order. */
export function readTree(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  );
}

/**
 * Writes `config` as an observability.yaml would hold it (`declaration.yaml` in messages), then
 * loads and synthesizes it into `outdir` as main.ts does, every rule on.
 */
export async function synthDeclaration(config: unknown, outdir: string): Promise<void> {
  const file = ConfigFile.parse('declaration.yaml', stringify(config));
  await synthAtomically(outdir, (app) => {
    new ObservabilityStack(app, 'default', { config: file.config, locate: (path) => file.locate(path) });
  });
}
