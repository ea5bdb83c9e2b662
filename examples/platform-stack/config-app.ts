// The declaration the `synth` command reads (observability.yaml), as a cdk8s app: `cdk8s synth
// --app "node config-app.js <file>"` writes the same output folder, byte for byte (but for the
// review record only the command line adds to the marker), and the validation plugin checks it.
import { ObservabilityApp } from 'cdk8s-istio-observability/app';
import { ConfigFile, ObservabilityStack } from 'cdk8s-istio-observability/config';

const file = ConfigFile.load(process.argv[2] ?? 'observability.yaml');
const app = new ObservabilityApp();
new ObservabilityStack(app, 'ObservabilityStack', {
  config: file.declaration,
  locate: (path) => file.locate(path),
});
app.synth();
