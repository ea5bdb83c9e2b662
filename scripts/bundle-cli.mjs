// `npm run build`, after tsc: the packaged command line as one file. Node resolves and compiles
// ~200 CommonJS modules one by one otherwise, which was a third of a synth's time in a fresh
// process (bench/RESULTS.md). The library keeps tsc's per-module build (lib/constructs/) for
// consumers; only the `bin` entry is bundled. esbuild keeps each CommonJS module lazy, so a
// command still loads only what it requires.
import { build } from 'esbuild';

await build({
  entryPoints: ['lib/cli/index.js'],
  outfile: 'lib/cli/cdk8s-istio-observability.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  logOverride: {
    // Envoy's protos and protobufjs's own are files read at run time, found with require.resolve.
    'require-resolve-not-external': 'silent',
  },
});
