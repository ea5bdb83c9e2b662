import { IstioInActionObservability } from './constructs/stacks/istioinaction-observability';
import { synthAtomically } from './constructs/synth/atomic-synth';

/**
 * Synthesizes the default stack (the book's istioinaction example with every piece on) into
 * dist/, or CDK8S_OUTDIR. ISTIO_VERSION picks the target (default 1.17). On any error the output
 * folder is left as it was and the process exits with status 1.
 */
function main(): void {
  const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
  try {
    synthAtomically(
      outdir,
      (app) => new IstioInActionObservability(app, 'default', { istioVersion: process.env.ISTIO_VERSION }),
    );
  } catch (error) {
    process.stderr.write(`synth failed, ${outdir}/ left unchanged:\n${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

main();
