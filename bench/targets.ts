/**
 * `npm run bench:targets`: only the figures issue targets are stated against, each a ratio to a
 * baseline measured in the same run: the packaged synth of the default stack against the
 * hello-world chart, 2,000 workloads against bare cdk8s-plus (time and peak memory), and the lint
 * of real files (one Istio tag's files, 20 copies) against parsing their YAML. The whole bench
 * (`npm run bench`) measures these and more.
 */
import { workloadTables } from './index';
import { lintFolders } from './lint';
import { packagedCli } from './packaged';

async function main(): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  console.log(`### Packaged command line, plain node\n\n${packagedCli(runs)}\n`);
  console.log(`### Workloads vs bare cdk8s-plus-27\n\n${workloadTables([2000])}\n`);
  console.log(`### Lint of real files vs reading their YAML\n\n${lintFolders(Math.min(runs, 3), [])}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
