import { Construct } from 'constructs';
import {
  ServiceEntryV1Alpha3SpecLocation,
  ServiceEntryV1Alpha3SpecResolution,
} from '../../imports/networking.istio.io';
import type { IstioMesh } from '../mesh/istio-mesh';
import type { CoolstoreGateway } from './coolstore-gateway';
import { networkingApi } from './networking-api';

export interface HttpbinEgressProps {
  readonly mesh: IstioMesh;
  /** The gateway that accepts `httpbin.istioinaction.io`. */
  readonly gateway: CoolstoreGateway;
}

/**
 * The book's tracing-header demo (`ch8/tracing/thin-httpbin-virtualservice.yaml`): requests for
 * `httpbin.istioinaction.io` at the ingress gateway go to the external `httpbin.org`, which echoes
 * the B3 headers Istio added.
 */
export class HttpbinEgress extends Construct {
  constructor(scope: Construct, id: string, props: HttpbinEgressProps) {
    super(scope, id);
    props.gateway.addHost('httpbin.istioinaction.io');
    const api = networkingApi(props.mesh.policy);
    new api.VirtualService(this, 'VirtualService', {
      metadata: { name: 'thin-httpbin-virtualservice' },
      spec: {
        hosts: ['httpbin.istioinaction.io'],
        gateways: [props.gateway.gatewayName],
        http: [{ route: [{ destination: { host: 'httpbin.org' } }] }],
      },
    });
    new api.ServiceEntry(this, 'ServiceEntry', {
      metadata: { name: 'external-httpbin-org' },
      spec: {
        hosts: ['httpbin.org'],
        ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
        location: ServiceEntryV1Alpha3SpecLocation.MESH_UNDERSCORE_EXTERNAL,
        resolution: ServiceEntryV1Alpha3SpecResolution.DNS,
      },
    });
  }
}
