import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

export interface IstioInActionServiceProps {
  /** Name of the ServiceAccount, Service, Deployment and their `app` label, e.g. `webapp`. */
  readonly name: string;
  /** Container image, e.g. `istioinaction/webapp:latest`. */
  readonly image: string;
  /** Port the container listens on (named `http`). */
  readonly containerPort: number;
  /**
   * Extra pod and selector labels, e.g. `{ version: 'v1' }`.
   * @default - only `app: <name>`
   */
  readonly extraLabels?: Readonly<Record<string, string>>;
  /**
   * Environment variables after `KUBERNETES_NAMESPACE`.
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * One service of the book's demo app (`services/<name>/kubernetes/<name>.yaml`):
 * a ServiceAccount, a ClusterIP Service on port 80 (`http`) and a one-replica Deployment.
 *
 * Built with cdk8s-plus-27 and configured to match the book's manifests: the plus defaults that
 * change behaviour (non-root enforcement, read-only root filesystem, resource limits, no token
 * automount) are turned off, because the book's images need them off. Kept from cdk8s-plus:
 * `allowPrivilegeEscalation: false` and the `cdk8s.io/metadata.addr` pod label.
 */
export class IstioInActionService extends Construct {
  readonly serviceAccount: kplus.ServiceAccount;
  readonly service: kplus.Service;
  readonly deployment: kplus.Deployment;

  constructor(scope: Construct, id: string, props: IstioInActionServiceProps) {
    super(scope, id);
    const labels = { app: props.name, ...props.extraLabels };
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: props.name },
      automountToken: true,
    });
    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: props.name, labels },
      replicas: 1,
      select: false,
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: true,
      securityContext: { ensureNonRoot: false },
      podMetadata: { labels },
      containers: [
        {
          name: props.name,
          image: props.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          ports: [{ number: props.containerPort, name: 'http', protocol: kplus.Protocol.TCP }],
          securityContext: { ensureNonRoot: false, readOnlyRootFilesystem: false, privileged: false },
          resources: {},
          envVariables: {
            KUBERNETES_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
            ...Object.fromEntries(Object.entries(props.env ?? {}).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
          },
        },
      ],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels }));
    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: props.name, labels: { app: props.name } },
      type: kplus.ServiceType.CLUSTER_IP,
      selector: kplus.Pods.select(this, 'Pods', { labels: { app: props.name } }),
      ports: [{ name: 'http', port: 80, targetPort: props.containerPort, protocol: kplus.Protocol.TCP }],
    });
  }
}
