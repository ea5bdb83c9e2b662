import { IstioInActionObservability } from './constructs/stacks/istioinaction-observability';
import { synthAtomically } from './constructs/synth/atomic-synth';

/**
 * Synthesizes the default stack (the book's istioinaction example, every piece on, Istio 1.17)
 * into dist/ (or CDK8S_OUTDIR). On any error dist/ is left as it was and the process exits 1.
 */
function main(): void {
  const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
  try {
    synthAtomically(outdir, (app) => new IstioInActionObservability(app, 'default'));
  } catch (error) {
    process.stderr.write(`synth failed, ${outdir}/ left unchanged:\n${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

main();
