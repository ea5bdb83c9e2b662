import type { App } from 'cdk8s';
import { Testing } from 'cdk8s';

/** Synthesizes what `build` adds to a fresh app as one multi-document YAML string (charts in creation order). */
export function synthYaml(build: (app: App) => void): string {
  const app = Testing.app();
  build(app);
  return app.synthYaml();
}
