import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthConfigFile } from '../cli/synth';
import { readTree } from './support/synth';

const dir = mkdtempSync(join(tmpdir(), 'unusual-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 63-character name: the longest RFC 1123 label, the limit for namespaces and label values. */
const LONGEST = `payments-${'x'.repeat(54)}`;

/** The config as plainly as it can be written: LF, no BOM, no anchors, ASCII escapes. */
const PLAIN = [
  'istioVersion: "1.30"',
  `namespace: ${LONGEST}`,
  'workloads:',
  `  ${LONGEST}: { selector: { app: checkout, tier: "backend" } }`,
  'traceSampling:',
  `  rare: { target: { workload: ${LONGEST} }, percentage: 0.01 }`,
  '  mesh-wide: { target: mesh, percentage: 0.01 }',
  'customTraceTags:',
  '  tags:',
  `    target: { workload: ${LONGEST} }`,
  '    tags:',
  '      region: { literal: "zürich-日本-😀" }',
  '      team: { literal: "zürich-日本-😀" }',
  'zipkinTracers:',
  '  zipkin: { target: mesh, address: "zipkin.istio-system:9411" }',
  '',
].join('\n');

/** The same declaration written the unusual ways users do: BOM, CRLF, anchors and aliases, flow and block styles, quoting. */
const UNUSUAL = `\ufeff${[
  "istioVersion: '1.30'",
  `namespace: "${LONGEST}"`,
  'workloads:',
  `  ${LONGEST}:`,
  '    selector: &checkout { app: checkout, tier: backend }',
  'traceSampling:',
  `  rare: { target: { workload: ${LONGEST} }, percentage: &rare 1.0e-2 }`,
  '  mesh-wide: { target: mesh, percentage: *rare }',
  'customTraceTags:',
  '  tags:',
  `    target: { workload: "${LONGEST}" }`,
  '    tags:',
  '      region: &where { literal: "z\\u00fcrich-\\u65e5\\u672c-\\U0001F600" }',
  '      team: *where',
  'zipkinTracers:',
  '  zipkin:',
  '    target: mesh',
  '    address: zipkin.istio-system:9411',
  '',
].join('\r\n')}`;

async function synth(name: string, text: string): Promise<Record<string, string>> {
  const config = join(dir, `${name}.yaml`);
  writeFileSync(config, text);
  const out = join(dir, name);
  await synthConfigFile(config, out);
  return readTree(out);
}

describe('valid unusual input', () => {
  it('(BOM, CRLF, anchors, unicode, 63-character names, sampling 0.01) is accepted and gives the bytes the plain file gives', async () => {
    const plain = await synth('plain', PLAIN);
    const unusual = await synth('unusual', UNUSUAL);
    // The output folder's marker names the config file it came from; everything else is identical.
    const withoutMarker = (tree: Record<string, string>) =>
      Object.fromEntries(Object.entries(tree).filter(([file]) => file !== '.cdk8s-istio-observability.json'));
    expect(withoutMarker(unusual)).toEqual(withoutMarker(plain));
    const workloads = plain[`${LONGEST}.k8s.yaml`] ?? '';
    expect(workloads).toContain('zürich-日本-😀');
    expect(plain['mesh.k8s.yaml'] ?? '').toContain('randomSamplingPercentage: 0.01');
  });

  it('gives the same bytes on a second run', async () => {
    expect(await synth('again', UNUSUAL)).toEqual(await synth('unusual', UNUSUAL));
  });
});
