import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { App, type AppProps } from 'cdk8s';

/**
 * Synthesizes an app into `outdir` so that `outdir` is either left as it was (any error:
 * validation, serialization, I/O) or replaced whole by the new output.
 *
 * The app writes into a fresh staging folder next to `outdir` (same filesystem, so the final
 * renames are atomic); only a complete synth is swapped in.
 */
export function synthAtomically(outdir: string, build: (app: App) => void, props: Omit<AppProps, 'outdir'> = {}): void {
  const target = resolve(outdir);
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}-staging-`));
  try {
    const app = new App({ ...props, outdir: staging });
    build(app);
    app.synth();
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const previous = `${staging}-previous`;
  let moved = false;
  try {
    renameSync(target, previous);
    moved = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      rmSync(staging, { recursive: true, force: true });
      throw error;
    }
  }
  renameSync(staging, target);
  if (moved) rmSync(previous, { recursive: true, force: true });
}
