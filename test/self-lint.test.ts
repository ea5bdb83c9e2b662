// Our own output passes our own lint: every example, synthesized for every release it supports,
// validates with 0 errors and 0 warnings. Warnings synth reported are recorded with the output
// and not repeated; anything else lint finds in it would be a rule the two disagree on.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigFileError } from '../app/config/config-file';
import { synthConfigFile } from '../cli/synth';
import { runValidate } from '../cli/validate';
import { ValidationFailedError } from '../core/problems/finding';
import { VersionPolicy } from '../core/version/version-policy';

const ROOT = join(__dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'self-lint-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `validate <folder>`'s exit status and last line. */
async function validate(args: readonly string[]): Promise<{ status: number; summary: string; text: string }> {
  let text = '';
  const writer = { write: (chunk: string) => (text += chunk) };
  const status = await runValidate(args, writer, writer);
  return { status, summary: text.trimEnd().split('\n').at(-1) ?? '', text };
}

/** The example with every istioVersion set to `release`, beside the original (its relative paths hold). */
function atRelease(example: string, release: string): string {
  const text = readFileSync(join(ROOT, example), 'utf8').replace(
    /istioVersion: "[\d.]+"/g,
    `istioVersion: "${release}"`,
  );
  const file = join(ROOT, example.replace(/\.yaml$/, `.self-lint-${release}.yaml`));
  writeFileSync(file, text);
  return file;
}

const EXAMPLES: readonly [string, readonly string[]][] = [
  ['observability.yaml', ['1.17', '1.18', '1.19', '1.20', '1.21', '1.22', '1.23']],
  ['examples/ambient.yaml', ['1.24', '1.25', '1.26', '1.27', '1.28', '1.29', '1.30', '1.31']],
  ['examples/istio-1.30.yaml', ['1.29', '1.30', '1.31']],
  ['examples/platform.yaml', ['1.22', '1.23', '1.24', '1.25', '1.26', '1.27', '1.28', '1.29', '1.30', '1.31']],
  ['examples/shop.yaml', ['1.31']],
  ['examples/two-clusters.yaml', ['1.24', '1.25', '1.26', '1.27', '1.28', '1.29', '1.30', '1.31']],
];

describe.each(EXAMPLES)('%s', (example, accepted) => {
  it('validates with 0 errors and 0 warnings at every release it synthesizes for', async () => {
    const synthesized: string[] = [];
    for (const release of VersionPolicy.supportedVersions()) {
      const config = atRelease(example, release);
      const out = join(scratch, `${basename(example, '.yaml')}-${release}`);
      try {
        await synthConfigFile(config, out, out);
      } catch (error) {
        // Refused by synth with located errors (a piece this release cannot have): not an output.
        if (error instanceof ConfigFileError || error instanceof ValidationFailedError) continue;
        throw error;
      } finally {
        rmSync(config);
      }
      synthesized.push(release);
      const { status, summary } = await validate([out]);
      expect({ release, status, summary: summary.replace(/^.*: (\d+ error)/, '$1') }).toEqual({
        release,
        status: 0,
        summary: '0 error(s), 0 warning(s)',
      });
    }
    expect(synthesized).toEqual(accepted);
  });
});

describe('a folder synth wrote', () => {
  it('is checked against the release synth recorded, and a hand edit is reported', async () => {
    const out = join(scratch, 'edited');
    await synthConfigFile(join(ROOT, 'examples/shop.yaml'), out, out);
    const clean = await validate([out]);
    expect(clean.text).toContain(
      '2 warning(s) in output folders were reported by the synth that wrote them (recorded in .cdk8s-istio-observability.json), not repeated',
    );
    expect(clean.summary).toMatch(/checked against Istio 1\.31 \(recorded by synth for .*edited\)/);
    // A hand edit the synth never saw: a sampling of 0 in the istiod values.
    const values = join(out, 'install/istiod-values.yaml');
    writeFileSync(values, `${readFileSync(values, 'utf8')}pilot: { traceSampling: 0 }\n`);
    const edited = await validate([out]);
    expect(edited.status).toBe(1);
    expect(edited.summary).toMatch(/: 1 error\(s\), 0 warning\(s\)$/);
  });
});
