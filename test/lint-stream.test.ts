import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintManifestFiles } from '../app/lint/lint-stream';
import { readManifestFiles } from '../app/lint/manifest-files';
import { validateManifests } from '../app/lint/manifest-validator';
import { runValidate } from '../cli/validate';
import { capture } from './support/capture';

/**
 * `validate` checks one file at a time and keeps only the mesh-wide objects of the others
 * (analysis/lint/lint-stream.ts). It must find exactly what a check of every object at once
 * finds, across files too.
 */
const ROOT = resolve(__dirname, '..');
const CROSS = 'test/lint/cross-file';

async function lintLines(version: string, ...args: string[]): Promise<string[]> {
  const run = await capture(runValidate, ['--istio-version', version, ...args]);
  return run.stdout.split('\n').filter((line) => / (error|warning): /.test(line));
}

describe('lint across files, one file at a time', () => {
  it("reports a bootstrap ConfigMap's fault that only another file's pod makes real, at the ConfigMap's line", async () => {
    expect(await lintLines('1.30', `${CROSS}/bootstrap`)).toEqual([
      `${CROSS}/bootstrap/b-override.yaml:8: warning: [ConfigMap/shop/orders-tracing] data["custom_bootstrap.json"].tracing.http.typed_config.collectorEndpoint: posts Zipkin v2 spans to a Zipkin v1 path (got "/api/v1/spans", expected a path with api/v2/spans, e.g. "/api/v2/spans"): the collector decodes the body as v1 and refuses it, so every span is lost; hint: use /api/v2/spans (source: istio/istio@1.30.3:pilot/pkg/networking/core/tracing.go sends v2 JSON) (zipkin-collector-path)`,
      `${CROSS}/bootstrap/b-override.yaml:8: warning: [ConfigMap/shop/orders-tracing] data["custom_bootstrap.json"].tracing: Envoy deprecates Bootstrap.tracing in favour of the HTTP connection manager's tracing provider; Istio's own bootstrap still uses it, and the supported route is a Telemetry tracing provider (meshConfig.extensionProviders) (deprecated-mechanism)`,
      `${CROSS}/bootstrap/b-override.yaml:8: warning: [ConfigMap/shop/orders-tracing] data["custom_bootstrap.json"]: is read when a pod starts; after changing it, restart the workloads that use it (restart-required)`,
    ]);
    // Alone, the override is still wrong: whichever pod names it loses every span.
    expect(await lintLines('1.30', `${CROSS}/bootstrap/b-override.yaml`)).toHaveLength(3);
  });

  it("reads another file's root Telemetry as the provider a namespace's tracing rule relies on", async () => {
    expect(await lintLines('1.30', `${CROSS}/telemetry`)).toEqual([]);
    expect(await lintLines('1.30', `${CROSS}/telemetry/a-tracing.yaml`)).toEqual([
      `${CROSS}/telemetry/a-tracing.yaml:9: warning: [Telemetry/shop/shop-sampling] spec.tracing: names no provider, and traces only if the mesh supplies one: a Telemetry in the root namespace or this namespace without a selector, or meshConfig.defaultProviders.tracing; without one istiod turns tracing off for these proxies (istio/istio#38920); hint: name the provider here (providers: [{ name: zipkin }]) or in meshConfig.defaultProviders.tracing (tracing-provider)`,
    ]);
  });

  it('with --complete, finds two files writing one object; without it, files are alternatives', async () => {
    expect(await lintLines('1.30', '--complete', `${CROSS}/collide`)).toEqual([
      `${CROSS}/collide/b.yaml:5: error: [ConfigMap/shop/settings#2] metadata.name: ConfigMap/shop/settings writes a ConfigMap of this name in namespace "shop" too; the cluster would keep only the one applied last (got "settings", expected a name no other ConfigMap in namespace "shop" has); hint: rename one of them (unique-objects)`,
    ]);
    expect(await lintLines('1.30', `${CROSS}/collide`)).toEqual([]);
  });

  it('sees a mesh-wide object whose kind the fast test cannot read, by reading every file again', async () => {
    // b-generator.yaml spells its kind with an escape; its attribute generator must still count.
    expect(await lintLines('1.17', `${CROSS}/escaped`)).toEqual([]);
    const alone = await lintLines('1.17', `${CROSS}/escaped/a-telemetry.yaml`);
    expect(alone).toHaveLength(1);
    expect(alone[0]).toContain('reads unknown attribute "istio_operationId"');
  });

  const folders: [string, string, boolean][] = [
    ['test/lint', '1.17', false],
    ['test/lint', '1.30', false],
    ['test/lint/cross-file', '1.30', true],
    ['test/seeds', '1.17', false],
    ['test/goldens/1.17', '1.17', true],
    ['test/goldens/1.24', '1.24', true],
    ['examples/istio-1.30', '1.30', true],
    ['examples/shop', '1.30', true],
    ['examples/two-clusters', '1.30', true],
  ];
  const corpus = resolve(ROOT, '..', 'shared', 'corpus', 'istio-1.26.8');
  if (existsSync(corpus)) folders.push([corpus, '1.26', false]);
  else
    console.info(`lint-stream: ${corpus} is absent (it sits beside the repository), so Istio's own files are skipped`);

  it.each(folders)(
    'finds in %s on %s (complete: %s) exactly what a check of all objects at once finds',
    async (folder, istioVersion, complete) => {
      const options = { istioVersion, complete };
      const streamed = await lintManifestFiles([folder], options);
      const files = readManifestFiles([folder]);
      const whole = await validateManifests(files.documents, options);
      expect(streamed.findings.length).toBeGreaterThan(0);
      expect(streamed.findings).toEqual(whole);
      expect(streamed.problems).toEqual(files.problems);
      expect(streamed.skipped).toEqual(files.skipped);
      expect(streamed.objects).toBe(files.documents.length);
    },
  );

  it('stops quietly when its reader closes the pipe (validate dir | head -1)', () => {
    const run = spawnSync(
      'bash',
      ['-c', `"${process.execPath}" --import tsx cli/index.ts validate test/lint | head -1`],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')).toHaveLength(2);
  });
});
