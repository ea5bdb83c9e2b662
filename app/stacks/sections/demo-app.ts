import { CoolstoreGateway } from '../../../constructs/demo/coolstore-gateway';
import { HttpbinEgress } from '../../../constructs/demo/httpbin-egress';
import { IstioInActionApp } from '../../../constructs/demo/istioinaction-app';
import { ObservabilityConfigError, problem } from '../../../core/errors';
import type { SectionBuilder } from './section-builder';

/** `demoApp:`: the book's webapp and catalog, whose workloads later sections may target. */
export const demoAppSection: SectionBuilder = {
  section: 'demoApp',
  build(context, mesh) {
    const demo = context.config.demoApp;
    if (!demo) return;
    const { chart } = context;
    context.piece(['demoApp'], chart, ['app', 'coolstore-gateway', 'httpbin'], () => {
      if (demo.gateway === false && demo.httpbinEgress === true) {
        // The egress demo is reached through the ingress gateway's httpbin host: without it, nothing.
        throw new ObservabilityConfigError(chart, [
          problem(['httpbinEgress'], true, 'false, or gateway: true', {
            what: 'routes httpbin.istioinaction.io through the coolstore gateway, which gateway: false leaves out',
          }),
        ]);
      }
      const app = new IstioInActionApp(chart, 'app');
      context.addWorkload('webapp', app.webapp.deployment);
      if (app.catalog) context.addWorkload('catalog', app.catalog.deployment);
      if (demo.gateway ?? true) {
        const gateway = new CoolstoreGateway(chart, 'coolstore-gateway', { mesh });
        if (demo.httpbinEgress ?? true) new HttpbinEgress(chart, 'httpbin', { mesh, gateway });
      }
    });
  },
};
