/**
 * The baseline of the default-stack benchmark: the cdk8s `typescript-app` template's main.ts
 * (one empty chart), run by the same runners as our main.ts. It synthesizes into argv[2] or
 * CDK8S_OUTDIR, like our app.
 */
import { App, Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';

export class MyChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    // define resources here
  }
}

const app = new App({ outdir: process.argv[2] ?? process.env.CDK8S_OUTDIR ?? 'dist' });
new MyChart(app, 'hello');
app.synth();
