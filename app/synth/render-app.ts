import { ApiObject, type App, Chart, DependencyGraph } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { LabelPatch } from '../../constructs/ambient/label-patch';
import { IstiodHelmValues } from '../../constructs/mesh/istiod-helm-values';
import { WorkloadRef } from '../../constructs/proxy-config/workload-ref';
import type { Manifest, RenderedObject } from '../../model/objects';

/** One chart as cdk8s writes it: its objects in cdk8s's order, each rendered once. */
export interface RenderedChart {
  readonly chart: Chart;
  readonly manifests: readonly Manifest[];
}

/** An app rendered once, for the rules and for the files: everything the output folder holds. */
export interface RenderedApp {
  readonly charts: readonly RenderedChart[];
  /** Every chart object, then the istiod Helm values and the workload references (see {@link extraObjects}). */
  readonly objects: readonly RenderedObject[];
}

/**
 * Renders `app` once, as cdk8s does. The first `chart.toJson()` resolves the app's dependencies
 * and runs every construct's validations (throwing cdk8s's error listing them); each chart's
 * objects then render in cdk8s's order (its `chartToKube`: the chart's dependency topology, each
 * object in its closest chart). `chart.toJson()` on every chart would run every validation of the
 * app once per chart.
 * @throws the error of the first validation or object that fails
 */
export function renderApp(app: App): RenderedApp {
  const charts: RenderedChart[] = [];
  const objects: RenderedObject[] = [];
  // cdk8s computes `app.charts` from the whole tree's dependency graph on every read: read it once.
  const appCharts = app.charts;
  // Before any chart's order is read: this resolves the dependencies it follows.
  const first = appCharts[0]?.toJson() as Manifest[] | undefined;
  for (const [i, chart] of appCharts.entries()) {
    const apiObjects = new DependencyGraph(chart.node)
      .topology()
      .filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === chart);
    const manifests = i === 0 && first ? first : apiObjects.map((o) => o.toJson() as Manifest);
    if (apiObjects.length !== manifests.length) {
      throw new Error(
        `chart ${chart.node.path} rendered ${manifests.length} objects for ${apiObjects.length} ApiObjects`,
      );
    }
    charts.push({ chart, manifests });
    for (const [j, apiObject] of apiObjects.entries()) {
      objects.push({ path: apiObject.node.path, apiObject, manifest: manifests[j] as Manifest });
    }
  }
  return { charts, objects: [...objects, ...extraObjects(app.node.findAll())] };
}

/**
 * Files the output holds besides chart objects, as objects the rules and REPORT.md read: the
 * istiod chart's values, and every workload reference (with its pod template patch, when it has
 * one: rules and REPORT.md see the workload and its labels either way).
 */
export function extraObjects(constructs: readonly IConstruct[]): RenderedObject[] {
  const objects: RenderedObject[] = [];
  for (const construct of constructs) {
    if (IstiodHelmValues.isIstiodHelmValues(construct) && !construct.isEmpty) {
      objects.push({ path: construct.node.path, manifest: construct.toManifest() as Manifest });
    }
    if (LabelPatch.isLabelPatch(construct)) {
      objects.push({
        path: construct.node.path,
        manifest: construct.renderPatch() as unknown as Manifest,
        patch: true,
        ...(construct.podLabels ? { podLabels: construct.podLabels } : {}),
      });
    }
    if (WorkloadRef.isWorkloadRef(construct)) {
      const manifest = construct.renderPatch() ?? {
        apiVersion: construct.apiVersion,
        kind: construct.kind,
        metadata: { name: construct.name, namespace: construct.namespace },
      };
      objects.push({
        path: construct.node.path,
        manifest: manifest as unknown as Manifest,
        patch: true,
        podLabels: construct.selector,
        ...(construct.ownAnnotations ? { patchedFrom: construct.ownAnnotations.source } : {}),
        ...(construct.sidecar ? {} : { outsideMesh: true }),
      });
      // An ambient workload's Service, which its Telemetry binds to at the waypoint: known to the
      // review even when no label of it is patched.
      if (construct.dataplane === 'ambient' && construct.waypoint === undefined) {
        objects.push({
          path: `${construct.node.path}/Service`,
          manifest: {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: construct.service, namespace: construct.namespace },
          },
          patch: true,
          podLabels: construct.selector,
        });
      }
    }
  }
  return objects;
}
