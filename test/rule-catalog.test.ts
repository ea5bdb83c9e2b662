import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MeshContext } from '../analysis/lint/mesh-context';
import { APP_RULES } from '../analysis/rule-catalog';
import { runValidate } from '../cli/validate';
import { capture } from './support/capture';
import { lintText } from './support/fixtures';

const scratch = mkdtempSync(join(tmpdir(), 'rule-catalog-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Two Telemetry objects without a selector in one namespace: telemetry-conflicts refuses the later. */
const DUPLICATES = ['first', 'second']
  .map(
    (name, i) =>
      `apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata:\n  name: ${name}\n  namespace: shop\n${
        i === 1
          ? '  annotations:\n    ignore-check.cdk8s-istio-observability.io/telemetry-conflicts: "migrating; first goes next week"\n'
          : ''
      }spec:\n  tracing: [{ randomSamplingPercentage: 5 }]\n`,
  )
  .join('---\n');

describe('the rule catalog', () => {
  it('declares each rule as data: id, summary, remediation, kinds, severity and its documented anchor', () => {
    const page = readFileSync(join(__dirname, '..', 'docs', 'validation.md'), 'utf8');
    for (const rule of APP_RULES) {
      expect(rule.id).toMatch(/^[a-z]+(-[a-z0-9]+)*$/);
      expect(rule.remediation).toMatch(/^[A-Z].*\.$/);
      expect(rule.kinds.length).toBeGreaterThan(0);
      expect(['error', 'warning']).toContain(rule.severity);
      expect(rule.docs).toBe(`docs/validation.md#${rule.id}`);
      expect(page).toContain(`<a id="${rule.id}"></a>`);
    }
    expect(new Set(APP_RULES.map((r) => r.id)).size).toBe(APP_RULES.length);
  });

  it('gives the lint the mesh-wide kinds its mesh rules declare, without the workloads', () => {
    const context = new MeshContext(APP_RULES);
    const kept = (kind: string) => context.of({ apiVersion: 'v1', kind, metadata: {} }) !== undefined;
    const kinds = [
      'Kiali',
      'IstioOperator',
      'IstiodHelmValues',
      'Istio',
      'Telemetry',
      'WasmPlugin',
      'EnvoyFilter',
      'Gateway',
      'Namespace',
      'Service',
    ];
    expect(kinds.filter(kept)).toEqual(kinds);
    expect(['Deployment', 'StatefulSet', 'Pod', 'Secret'].filter(kept)).toEqual([]);
    // A Service is kept for its waypoint only: its name, labels and selector.
    expect(
      context.of({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: 'cart',
          namespace: 'shop',
          labels: { 'istio.io/use-waypoint': 'w' },
          annotations: { a: 'b' },
        },
        spec: { selector: { app: 'cart' }, ports: [{ port: 80 }] },
      }),
    ).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'cart', namespace: 'shop', labels: { 'istio.io/use-waypoint': 'w' } },
      spec: { selector: { app: 'cart' } },
    });
    // Without a mesh rule that reads it, a kind is not kept.
    const telemetryOnly = new MeshContext(APP_RULES.filter((r) => r.id === 'tracing-provider'));
    expect(
      ['Telemetry', 'IstioOperator', 'Kiali', 'EnvoyFilter'].filter(
        (k) => telemetryOnly.of({ apiVersion: 'v1', kind: k, metadata: {} }) !== undefined,
      ),
    ).toEqual(['Telemetry', 'IstioOperator']);
  });

  it('silences a rule on one object with the ignore-check annotation, and on the others not', async () => {
    const both = DUPLICATES.replace(/ {2}annotations:\n.*\n/, '');
    expect(await lintText(both, '1.26', { rule: 'telemetry-conflicts' })).toHaveLength(1);
    expect(await lintText(DUPLICATES, '1.26', { rule: 'telemetry-conflicts' })).toEqual([]);
    // Only the rule it names: the object still gets every other rule's findings.
    const annotatedOther = DUPLICATES.replace('/telemetry-conflicts:', '/object-schema:');
    expect(await lintText(annotatedOther, '1.26', { rule: 'telemetry-conflicts' })).toHaveLength(1);
  });

  it('turns rules off with validate --disable, and refuses an id that is no rule', async () => {
    const file = join(scratch, 'telemetry.yaml');
    writeFileSync(file, DUPLICATES.replace(/ {2}annotations:\n.*\n/, ''));
    const on = await capture(runValidate, ['--istio-version', '1.26', file]);
    expect(on.status).toBe(1);
    const off = await capture(runValidate, [
      '--istio-version',
      '1.26',
      '--disable',
      'telemetry-conflicts',
      '--disable',
      'tracing-provider',
      file,
    ]);
    expect(off.stdout.trim().split('\n').at(-1)).toBe(
      '1 file(s), 2 object(s) checked against Istio 1.26: 0 error(s), 0 warning(s)',
    );
    expect(off.status).toBe(0);
    const unknown = await capture(runValidate, ['--istio-version', '1.26', '--disable', 'telemetry-conflict', file]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe(
      `--disable: got "telemetry-conflict", expected rule ids, from: ${APP_RULES.map((r) => r.id).join(', ')}\n`,
    );
  });
});
