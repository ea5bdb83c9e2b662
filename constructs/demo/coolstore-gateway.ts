import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { ObservabilityConfigError, problem } from '../../core/errors';
import { isDnsSubdomain } from '../../core/names';
import { statement } from '../../core/problems/problem';
import type { IstioMesh } from '../mesh/istio-mesh';
import { networkingApi } from './networking-api';

export interface CoolstoreGatewayProps {
  /** The mesh (and so the Istio version) this applies to. */
  readonly mesh: IstioMesh;
  /**
   * metadata.name of the Gateway.
   * @default 'coolstore-gateway'
   */
  readonly name?: string;
}

/**
 * The book's ingress: Gateway `coolstore-gateway` on the default ingress gateway (port 80, HTTP)
 * and VirtualService `webapp-virtualservice` routing `webapp.istioinaction.io` to `webapp:80`
 * (`services/webapp/istio/webapp-catalog-gw-vs.yaml`). Other pieces add hosts with addHost().
 */
export class CoolstoreGateway extends Construct {
  /** metadata.name of the Gateway, for VirtualService `gateways`. */
  readonly gatewayName: string;
  private readonly hosts: string[] = [];

  constructor(scope: Construct, id: string, props: CoolstoreGatewayProps) {
    super(scope, id);
    this.gatewayName = props.name ?? 'coolstore-gateway';
    const api = networkingApi(props.mesh.policy);
    new api.Gateway(this, 'Resource', {
      metadata: { name: this.gatewayName },
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [
          {
            port: { number: 80, name: 'http', protocol: 'HTTP' },
            hosts: Lazy.any({ produce: () => [...this.hosts] }),
          },
        ],
      },
    });
    this.addHost('webapp.istioinaction.io');
    new api.VirtualService(this, 'webapp', {
      metadata: { name: 'webapp-virtualservice' },
      spec: {
        hosts: ['webapp.istioinaction.io'],
        gateways: [this.gatewayName],
        http: [{ route: [{ destination: { host: 'webapp', port: { number: 80 } } }] }],
      },
    });
  }

  /** Makes the gateway accept `host`; each host once. */
  addHost(host: string): void {
    if (this.hosts.includes(host))
      throw new ObservabilityConfigError(this, [statement(['hosts'], `"${host}" is already added`)]);
    if (!isDnsSubdomain(host)) throw new ObservabilityConfigError(this, [problem(['hosts'], host, 'a DNS host name')]);
    this.hosts.push(host);
  }
}
