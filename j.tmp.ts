import { Chart, Testing } from 'cdk8s';
import { IstioMesh } from './constructs/mesh/istio-mesh';
import { JaegerAllInOne } from './constructs/backends/jaeger-all-in-one';
import { JaegerStorage } from './constructs/backends/jaeger-storage';
const app = Testing.app(); const c = new Chart(app, 'b', { disableResourceNameHashes: true }); const m = new IstioMesh(new Chart(app,'i'), 'mesh', { istioVersion: process.argv[2] ?? '1.17' });
new JaegerAllInOne(c, 'jaeger', { mesh: m, storage: JaegerStorage.badgerOnEmptyDir() });
console.log(app.synthYaml());
