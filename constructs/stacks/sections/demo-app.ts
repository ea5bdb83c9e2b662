import { CoolstoreGateway } from '../../demo/coolstore-gateway';
import { HttpbinEgress } from '../../demo/httpbin-egress';
import { IstioInActionApp } from '../../demo/istioinaction-app';
import type { SectionBuilder } from './section-builder';

/** `demoApp:`: the book's webapp and catalog, whose workloads later sections may target. */
export const demoAppSection: SectionBuilder = {
  section: 'demoApp',
  build(context, mesh) {
    const demo = context.config.demoApp;
    if (!demo) return;
    const { chart } = context;
    context.piece(['demoApp'], chart, ['app', 'coolstore-gateway', 'httpbin'], () => {
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
