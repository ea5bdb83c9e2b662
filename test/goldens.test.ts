import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { validateApp } from '../constructs/validate/app-validator';
import { formatFinding } from '../constructs/validate/finding';
import { SCENARIOS } from './scenarios';
import { compareToSeed } from './support/semantic';
import { synthYaml } from './support/synth';

const UPDATE = process.env.UPDATE_GOLDENS === '1';
if (UPDATE && process.env.CI)
  throw new Error('UPDATE_GOLDENS is refused in CI: goldens are updated by a developer and reviewed');

describe.each(SCENARIOS)('scenario $name', (scenario) => {
  const output = synthYaml(scenario.build);

  it('matches its golden file byte for byte', () => {
    const golden = join(__dirname, 'goldens', `${scenario.name}.k8s.yaml`);
    if (UPDATE) writeFileSync(golden, output);
    expect(existsSync(golden), `missing ${golden}: run npm run test:update-goldens and review it`).toBe(true);
    expect(output).toBe(readFileSync(golden, 'utf8'));
  });

  it('passes every validation rule', async () => {
    const app = Testing.app();
    scenario.build(app);
    const errors = (await validateApp(app)).filter((f) => f.severity === 'error').map(formatFinding);
    expect(errors).toEqual([]);
  });

  it('is semantically the seed manifest, except for the documented deviations', () => {
    const seed = readFileSync(join(__dirname, 'seeds', `${scenario.name}.yaml`), 'utf8');
    const result = compareToSeed(output, seed, 'istioinaction');
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
