// The cdk8s `typescript-app` template's main.ts (one empty chart) as the JavaScript tsc makes of
// it: the baseline of the packaged command line, run by plain node. It synthesizes into argv[2].
const { App, Chart } = require('cdk8s');

class MyChart extends Chart {
  constructor(scope, id, props = {}) {
    super(scope, id, props);
    // define resources here
  }
}

const app = new App({ outdir: process.argv[2] ?? process.env.CDK8S_OUTDIR ?? 'dist' });
new MyChart(app, 'hello');
app.synth();
