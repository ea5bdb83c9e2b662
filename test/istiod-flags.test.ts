import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runValidate } from '../cli/validate';
import { capture } from './support/capture';

const dir = mkdtempSync(join(tmpdir(), 'istiod-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An IstioOperator that opts out of upstream spans for gateways, in both places istiod's env is set. */
const OPERATOR = [
  'apiVersion: install.istio.io/v1alpha1',
  'kind: IstioOperator',
  'metadata: { name: control-plane, namespace: istio-system }',
  'spec:',
  '  values:',
  '    pilot:',
  '      env: { PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY: "false" }',
  '  components:',
  '    pilot:',
  '      k8s:',
  '        env: [{ name: PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY, value: "false" }]',
  '',
].join('\n');

async function lint(version: string): Promise<string[]> {
  const path = join(dir, 'operator.yaml');
  writeFileSync(path, OPERATOR);
  const run = await capture(runValidate, ['--istio-version', version, path]);
  return run.stdout
    .split('\n')
    .filter((line) => /: (error|warning): /.test(line))
    .map((line) => line.slice(line.indexOf(': ') + 2));
}

describe('istiod-flags', () => {
  it('accepts PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY where istiod reads it (1.26 to 1.30), and warns before', async () => {
    expect(await lint('1.30')).toEqual([]);
    expect(await lint('1.25')).toContain(
      'warning: [IstioOperator/istio-system/control-plane] spec.components.pilot.k8s.env[0]: is not read by Istio 1.25: the PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY flag of istiod (Istio 1.26 to 1.30; removed in 1.31); hint: remove it (source: istio/istio@1.26.8:pilot/pkg/features/telemetry.go; removed by istio/istio@1.31.0-rc.0:releasenotes/notes/remove-spawn-upstream-span-for-gateway.yaml) (istiod-flags)',
    );
  });

  it('warns that 1.31 removed it, in each place it is set', async () => {
    const removed =
      'is not read by Istio 1.31: the PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY flag of istiod (Istio 1.26 to 1.30; removed in 1.31); upstream spans for gateway requests are always spawned; hint: remove it (source: istio/istio@1.26.8:pilot/pkg/features/telemetry.go; removed by istio/istio@1.31.0-rc.0:releasenotes/notes/remove-spawn-upstream-span-for-gateway.yaml) (istiod-flags)';
    expect(await lint('1.31')).toEqual([
      `warning: [IstioOperator/istio-system/control-plane] spec.components.pilot.k8s.env[0]: ${removed}`,
      `warning: [IstioOperator/istio-system/control-plane] spec.values.pilot.env.PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY: ${removed}`,
    ]);
  });
});
