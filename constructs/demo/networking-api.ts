import type { VersionPolicy } from '../../core/version/version-policy';
import {
  Gateway,
  GatewayV1Alpha3,
  ServiceEntry,
  ServiceEntryV1Alpha3,
  VirtualService,
  VirtualServiceV1Alpha3,
} from '../../imports/networking.istio.io';

/**
 * The generated L1 classes of the networking API version the target serves: v1 from Istio 1.22,
 * v1alpha3 before (istio/api@1.22.0:releasenotes/notes/promote-telemetry-v1.yaml). The two versions share one schema, so the v1alpha3 prop types
 * describe both.
 */
export function networkingApi(policy: VersionPolicy): {
  readonly Gateway: typeof GatewayV1Alpha3;
  readonly VirtualService: typeof VirtualServiceV1Alpha3;
  readonly ServiceEntry: typeof ServiceEntryV1Alpha3;
} {
  switch (policy.mechanisms.networkingApiVersion) {
    case 'networking.istio.io/v1alpha3':
      return { Gateway: GatewayV1Alpha3, VirtualService: VirtualServiceV1Alpha3, ServiceEntry: ServiceEntryV1Alpha3 };
    case 'networking.istio.io/v1':
      return {
        Gateway: Gateway as unknown as typeof GatewayV1Alpha3,
        VirtualService: VirtualService as unknown as typeof VirtualServiceV1Alpha3,
        ServiceEntry: ServiceEntry as unknown as typeof ServiceEntryV1Alpha3,
      };
  }
}
