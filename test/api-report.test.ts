import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

/** Each entry point of package.json's exports, its API Extractor settings and its build. */
const ENTRY_POINTS = [
  { name: 'cdk8s-istio-observability', config: 'api-extractor.json', entry: 'constructs/index.d.ts' },
  { name: 'cdk8s-istio-observability/app', config: 'api-extractor.app.json', entry: 'app/index.d.ts' },
  { name: 'cdk8s-istio-observability/config', config: 'api-extractor.config.json', entry: 'app/config/index.d.ts' },
  {
    name: 'cdk8s-istio-observability/validate',
    config: 'api-extractor.validate.json',
    entry: 'app/validate/index.d.ts',
  },
  {
    name: 'cdk8s-istio-observability/plugin',
    config: 'api-extractor.plugin.json',
    entry: 'app/plugin/validation-plugin.d.ts',
  },
  { name: 'cdk8s-istio-observability/demo', config: 'api-extractor.demo.json', entry: 'constructs/demo/index.d.ts' },
] as const;

describe('the public API', () => {
  // After an intended change: npm run api, and review the diff of api/*.api.md.
  it.each(ENTRY_POINTS)(
    'of $name is what its api/*.api.md records, with no internal type left unexported',
    ({ config, entry }) => {
      const { changed, messages } = extract(config, entry);
      expect(messages).toEqual([]);
      expect(changed).toBe(false);
    },
  );

  it('has an entry point for each subpath package.json exports', () => {
    const { exports } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    const subpaths = Object.keys(exports)
      .filter((key) => !key.endsWith('.js') && !key.endsWith('.json'))
      .map((key) => (key === '.' ? 'cdk8s-istio-observability' : `cdk8s-istio-observability/${key.slice(2)}`));
    expect(subpaths.sort()).toEqual(ENTRY_POINTS.map((e) => e.name).sort());
  });
});
