/**
 * The packaged command line as users run it: compiled JavaScript in plain node (`npm run build`
 * first), against the cdk8s template's hello-world chart compiled the same way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median, ratio, run, table } from './measure';

const ROOT = resolve(__dirname, '..');

/** Median wall time of `node <args>` in a fresh process, with a new output folder each time. */
function nodeTime(runs: number, args: (out: string) => string[]): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(join(tmpdir(), 'bench-'));
    times.push(run(process.execPath, args(join(out, 'dist')), { cwd: ROOT }).ms);
    rmSync(out, { recursive: true, force: true });
  }
  return median(times);
}

export function packagedCli(runs: number): string {
  run('npm', ['run', 'build'], { cwd: ROOT, env: { npm_config_loglevel: 'error' } });
  const empty = nodeTime(runs, () => ['-e', '0']);
  const hello = nodeTime(runs, (out) => ['bench/hello-world/main.js', out]);
  const bundled = nodeTime(runs, (out) => ['lib/cli/cdk8s-istio-observability.js', 'synth', '--out', out]);
  const modules = nodeTime(runs, (out) => ['lib/cli/index.js', 'synth', '--out', out]);
  return table(
    ['plain node, compiled JavaScript, median of runs', 'ms', 'vs hello-world', 'target'],
    [
      ['node alone (`node -e 0`)', empty.toFixed(0), ratio(empty, hello), ''],
      ['hello-world chart (cdk8s template, bench/hello-world/main.js)', hello.toFixed(0), '1.00x', ''],
      [
        'default stack, every rule on: the packaged bin (`lib/cli/cdk8s-istio-observability.js synth`, one bundled file)',
        bundled.toFixed(0),
        ratio(bundled, hello),
        '≤ 2x',
      ],
      [
        "the same from tsc's per-module build (`lib/cli/index.js synth`)",
        modules.toFixed(0),
        ratio(modules, hello),
        '',
      ],
    ],
  );
}
