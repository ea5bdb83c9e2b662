import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { App } from 'cdk8s';
import { stringify } from 'yaml';
import { ConfigFile } from '../../app/config/config-file';
import { ObservabilityStack } from '../../app/stacks/observability-stack';
import { synthAtomically } from '../../app/synth/atomic-synth';
import { testApp } from './app';

/** Synthesizes what `build` adds to a fresh app as one multi-document YAML string (charts in creation order). */
export function synthYaml(build: (app: App) => void): string {
  const app = testApp();
  build(app);
  return app.synthYaml();
}

/** Every file under a folder, by path relative to it (`clusters/dev/x.k8s.yaml`), in path order. */
export function readTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(dir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return files;
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
