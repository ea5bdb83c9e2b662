import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest's global setup: one folder per test run becomes the temporary directory of every test
 * and of every tool they start (the CLI, kubectl, promtool, npm), and is removed when the run
 * ends. Tests make scratch folders under os.tmpdir(), which reads TMPDIR on each call, and not
 * each one removes its own, least of all when it fails: a run used to leave about 30 folders in
 * /tmp. The workers inherit the variable because the pool starts after this setup.
 */
export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-istio-observability-tests-'));
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}
