import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateApp } from '../app/validate/app-validator';
import { ObservabilityConfigError } from '../core/errors';
import { formatFinding } from '../core/problems/finding';
import { GOLDEN_VERSIONS, SCENARIOS, type Scenario, SEED_VERSION } from './scenarios';
import { testApp } from './support/app';
import { compareToSeed } from './support/semantic';

const UPDATE = process.env.UPDATE_GOLDENS === '1';
if (UPDATE && process.env.CI)
  throw new Error('UPDATE_GOLDENS is refused in CI: goldens are updated by a developer and reviewed');

/**
 * The scenario's YAML for `version`, or the refusal text (construct errors, then validation
 * errors), and the warnings of an accepted scenario.
 */
async function render(
  scenario: Scenario,
  version: string,
): Promise<{ yaml?: string; refusal?: string; warnings: string[] }> {
  const app = testApp();
  try {
    scenario.build(app, version);
  } catch (error) {
    if (!(error instanceof ObservabilityConfigError)) throw error;
    return { refusal: `${error.message}\n`, warnings: [] };
  }
  const findings = await validateApp(app);
  const errors = findings.filter((f) => f.severity === 'error').map(formatFinding);
  if (errors.length > 0) return { refusal: `${errors.join('\n')}\n`, warnings: [] };
  const warnings = findings.filter((f) => f.severity === 'warning').map((f) => `${formatFinding(f)} (${f.rule})`);
  return { yaml: app.synthYaml(), warnings };
}

describe.each(SCENARIOS)('scenario $name', (scenario) => {
  it.each(GOLDEN_VERSIONS)('on Istio %s matches its golden output or golden refusal byte for byte', async (version) => {
    const dir = join(__dirname, 'goldens', version);
    const yamlFile = join(dir, `${scenario.name}.k8s.yaml`);
    const refusalFile = join(dir, `${scenario.name}.refusal.txt`);
    const { yaml, refusal } = await render(scenario, version);
    if (UPDATE) {
      mkdirSync(dir, { recursive: true });
      rmSync(yamlFile, { force: true });
      rmSync(refusalFile, { force: true });
      writeFileSync(yaml !== undefined ? yamlFile : refusalFile, yaml ?? refusal ?? '');
    }
    const expected = yaml !== undefined ? yamlFile : refusalFile;
    expect(existsSync(expected), `missing ${expected}: run npm run test:update-goldens and review it`).toBe(true);
    expect(existsSync(yaml !== undefined ? refusalFile : yamlFile), 'a stale golden of the other kind').toBe(false);
    expect(yaml ?? refusal).toBe(readFileSync(expected, 'utf8'));
  });

  if (!scenario.seed) return;
  it(`on Istio ${SEED_VERSION} is semantically the seed manifest, except for the documented deviations`, async () => {
    const { yaml } = await render(scenario, SEED_VERSION);
    const seed = readFileSync(join(__dirname, 'seeds', `${scenario.name}.yaml`), 'utf8');
    const result = compareToSeed(yaml ?? '', seed, scenario.seedNamespace ?? 'istioinaction');
    expect(result.missingObjects).toEqual([]);
    expect(result.extraObjects.sort()).toEqual(Object.keys(scenario.extraObjects).sort());
    expect(result.differences.map((d) => `${d.object} ${d.path}`).sort()).toEqual(
      scenario.deviations.map((d) => `${d.object} ${d.path}`).sort(),
    );
    for (const deviation of scenario.deviations.filter((d) => 'ours' in d)) {
      const found = result.differences.find((d) => d.object === deviation.object && d.path === deviation.path);
      expect(found?.ours, `${deviation.object} ${deviation.path}`).toEqual(deviation.ours);
    }
  });
});

/**
 * Every warning an accepted scenario gets, per release: a finding that does not stop the synth is
 * still part of what the output means (the 1.17 bootstrap-override scenario keeps the book's
 * Zipkin v1 path, and its warning says the spans are lost).
 */
describe.each(GOLDEN_VERSIONS)('warnings on Istio %s', (version) => {
  it('match warnings.txt byte for byte', async () => {
    const lines: string[] = [];
    for (const scenario of SCENARIOS) {
      const { warnings } = await render(scenario, version);
      if (warnings.length > 0) lines.push(`# ${scenario.name}`, ...warnings, '');
    }
    const file = join(__dirname, 'goldens', version, 'warnings.txt');
    if (UPDATE) writeFileSync(file, lines.join('\n'));
    expect(lines.join('\n')).toBe(readFileSync(file, 'utf8'));
  });
});

describe('golden files', () => {
  it('exist only for a scenario and a golden version', () => {
    const expected = GOLDEN_VERSIONS.flatMap((v) => [
      ...SCENARIOS.map((s) => `${v}/${s.name}`),
      `${v}/warnings`,
    ]).sort();
    const found = GOLDEN_VERSIONS.flatMap((v) =>
      existsSync(join(__dirname, 'goldens', v))
        ? readdirSync(join(__dirname, 'goldens', v)).map(
            (f: string) => `${v}/${f.replace(/\.(k8s\.yaml|refusal\.txt|txt)$/, '')}`,
          )
        : [],
    );
    expect(found.sort()).toEqual(expected);
  });
});
