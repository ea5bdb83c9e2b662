// The book's demo app (Istio in Action's istioinaction namespace: webapp calling catalog, the
// coolstore gateway, httpbin egress) as its own entry point, cdk8s-istio-observability/demo: an
// example of the library's use, not part of the library.

export { BookRecipes } from './book-recipes';
export { CoolstoreGateway, type CoolstoreGatewayProps } from './coolstore-gateway';
export { HttpbinEgress, type HttpbinEgressProps } from './httpbin-egress';
export { IstioInActionApp, type IstioInActionAppProps } from './istioinaction-app';
export { IstioInActionService, type IstioInActionServiceProps } from './istioinaction-service';
