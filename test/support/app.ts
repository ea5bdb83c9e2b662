import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObservabilityApp, type ObservabilityAppProps } from '../../app/synth/observability-app';

/**
 * cdk8s's `Testing.app()` as an ObservabilityApp: an app that writes the whole output folder, into
 * a fresh temporary folder. cdk8s's own App refuses install inputs and patches at synth.
 */
export function testApp(props: ObservabilityAppProps = {}): ObservabilityApp {
  return new ObservabilityApp({ outdir: mkdtempSync(join(tmpdir(), 'cdk8s.outdir.')), ...props });
}
