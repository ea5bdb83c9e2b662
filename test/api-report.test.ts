import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Extractor, ExtractorConfig, type ExtractorMessage } from '@microsoft/api-extractor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');
let build: string;

beforeAll(() => {
  // Its own build folder: other tests build lib/ (npm pack) at the same time.
  build = mkdtempSync(join(tmpdir(), 'api-report-'));
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json', '--outDir', build], {
    cwd: ROOT,
  });
}, 120_000);

afterAll(() => rmSync(build, { recursive: true, force: true }));

/** Runs API Extractor on the build with `file`'s settings; what changed in the committed report. */
function extract(file: string, entry: string) {
  const configObject = ExtractorConfig.loadFile(join(ROOT, file));
  configObject.mainEntryPointFilePath = join(build, entry);
  if (configObject.apiReport) configObject.apiReport.reportTempFolder = join(build, 'api-report-temp');
  const config = ExtractorConfig.prepare({
    configObject,
    configObjectFullPath: join(ROOT, file),
    packageJsonFullPath: join(ROOT, 'package.json'),
  });
  const messages: string[] = [];
  const result = Extractor.invoke(config, {
    localBuild: false,
    messageCallback: (message: ExtractorMessage) => {
      message.handled = true;
      if (message.logLevel === 'warning' || message.logLevel === 'error') messages.push(message.text);
    },
  });
  return { changed: result.apiReportChanged, messages };
}

describe('the public API', () => {
  // After an intended change: npm run api, and review the diff of api/*.api.md.
  it('is what api/cdk8s-istio-observability.api.md records, with no internal type left unexported', () => {
    const { changed, messages } = extract('api-extractor.json', 'constructs/index.d.ts');
    expect(messages).toEqual([]);
    expect(changed).toBe(false);
  });

  it('keeps the demo app in its own entry point, recorded in api/cdk8s-istio-observability-demo.api.md', () => {
    const { changed, messages } = extract('api-extractor.demo.json', 'constructs/demo/index.d.ts');
    expect(messages).toEqual([]);
    expect(changed).toBe(false);
  });
});
