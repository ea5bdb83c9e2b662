import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Testing } from 'cdk8s';
import { afterEach, describe, expect, it } from 'vitest';
import { IstioInActionObservability } from '../constructs/stacks/istioinaction-observability';
import { synthAtomically } from '../constructs/synth/atomic-synth';

const ROOT = resolve(__dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const scratch: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'default-stack-'));
  scratch.push(dir);
  return dir;
}

/** Every file of a folder, by name. */
function readTree(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

function runMain(outdir: string, env: Record<string, string> = {}) {
  return spawnSync(TSX, ['main.ts'], {
    cwd: ROOT,
    env: { ...process.env, CDK8S_OUTDIR: outdir, ...env },
    encoding: 'utf8',
  });
}

afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the default stack (main.ts)', () => {
  it('synthesizes exactly the committed dist/, byte for byte', () => {
    const out = join(tempDir(), 'dist');
    const run = runMain(out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(Object.keys(readTree(out))).toEqual(['istio-install.k8s.yaml', 'istioinaction.k8s.yaml']);
    expect(readTree(out)).toEqual(readTree(join(ROOT, 'dist')));
  });

  it('gives byte-identical output on two synths in one process', () => {
    const first = join(tempDir(), 'a');
    const second = join(tempDir(), 'b');
    synthAtomically(first, (app) => new IstioInActionObservability(app, 'default'));
    synthAtomically(second, (app) => new IstioInActionObservability(app, 'default'));
    expect(readTree(first)).toEqual(readTree(second));
  });

  it('contains every piece of the seeds', () => {
    const app = Testing.app();
    new IstioInActionObservability(app, 'default');
    const kinds = app.charts.flatMap((chart) => Testing.synth(chart)).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual([
      'IstioOperator/control-plane',
      'ServiceAccount/webapp',
      'Deployment/webapp',
      'Service/webapp',
      'ServiceAccount/catalog',
      'Deployment/catalog',
      'Service/catalog',
      'Gateway/coolstore-gateway',
      'VirtualService/webapp-virtualservice',
      'VirtualService/thin-httpbin-virtualservice',
      'ServiceEntry/external-httpbin-org',
      'EnvoyFilter/attribute-gen-example',
      'ConfigMap/istio-custom-zipkin',
    ]);
  });

  it('refuses a target it does not implement and leaves the output folder untouched', () => {
    const out = join(tempDir(), 'dist');
    execFileSync('mkdir', ['-p', out]);
    writeFileSync(join(out, 'previous.k8s.yaml'), 'kind: Previous\n');
    const run = runMain(out, { ISTIO_VERSION: '1.22' });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `synth failed, ${out}/ left unchanged:\n` +
        '[istio-install/mesh] istioVersion: got "1.22", expected a target this library implements: "1.17". ' +
        'Istio 1.22 needs different telemetry mechanisms, so 1.17 output is not emitted for it\n',
    );
    expect(readTree(out)).toEqual({ 'previous.k8s.yaml': 'kind: Previous\n' });
  });
});

describe('synthAtomically', () => {
  it('replaces the whole folder on success, dropping files the new synth does not write', () => {
    const out = join(tempDir(), 'dist');
    execFileSync('mkdir', ['-p', out]);
    writeFileSync(join(out, 'stale.k8s.yaml'), 'kind: Stale\n');
    synthAtomically(out, (app) => new IstioInActionObservability(app, 'default'));
    expect(Object.keys(readTree(out))).toEqual(['istio-install.k8s.yaml', 'istioinaction.k8s.yaml']);
  });

  it('leaves the folder and its parent untouched when validation fails', () => {
    const parent = tempDir();
    const out = join(parent, 'dist');
    synthAtomically(out, (app) => new IstioInActionObservability(app, 'default'));
    const before = readTree(out);
    expect(() =>
      synthAtomically(out, (app) => {
        const stack = new IstioInActionObservability(app, 'default');
        stack.node.addValidation({ validate: () => ['a problem found at synth'] });
      }),
    ).toThrow('Validation failed with the following errors:\n  [default] a problem found at synth');
    expect(readTree(out)).toEqual(before);
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  it('creates the folder when it does not exist yet', () => {
    const out = join(tempDir(), 'fresh');
    synthAtomically(out, (app) => new IstioInActionObservability(app, 'default'));
    expect(Object.keys(readTree(out))).toHaveLength(2);
  });
});
