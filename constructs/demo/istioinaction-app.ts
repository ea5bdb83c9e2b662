import { Construct } from 'constructs';
import { IstioInActionService } from './istioinaction-service';

export interface IstioInActionAppProps {
  /**
   * Deploy `catalog` next to `webapp`.
   * @default true
   */
  readonly catalog?: boolean;
}

/**
 * The book's demo application in namespace `istioinaction`: `webapp` (port 8080) calls
 * `catalog` (port 3000) through the `catalog` Service. Place it in a chart whose namespace is
 * `istioinaction`: `catalog.istioinaction` in webapp's environment relies on it.
 */
export class IstioInActionApp extends Construct {
  readonly webapp: IstioInActionService;
  readonly catalog?: IstioInActionService;

  constructor(scope: Construct, id: string, props: IstioInActionAppProps = {}) {
    super(scope, id);
    this.webapp = new IstioInActionService(this, 'webapp', {
      name: 'webapp',
      image: 'istioinaction/webapp:latest',
      containerPort: 8080,
      env: {
        CATALOG_SERVICE_HOST: 'catalog.istioinaction',
        CATALOG_SERVICE_PORT: '80',
        FORUM_SERVICE_HOST: 'forum.istioinaction',
        FORUM_SERVICE_PORT: '80',
      },
    });
    if (props.catalog ?? true) {
      this.catalog = new IstioInActionService(this, 'catalog', {
        name: 'catalog',
        image: 'istioinaction/catalog:latest',
        containerPort: 3000,
        extraLabels: { version: 'v1' },
      });
    }
  }
}
