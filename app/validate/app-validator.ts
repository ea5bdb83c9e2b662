import { ApiObject, App } from 'cdk8s';
import type { IConstruct } from 'constructs';
import type { AppRule } from '../../analysis/rule';
import { APP_RULES } from '../../analysis/rule-catalog';
import { crdBundlesOf, runRules } from '../../analysis/run-rules';
import { ObjectSchemas } from '../../analysis/schema/object-schemas';
import { builtMeshes, isIstioMesh } from '../../core/contracts/istio-mesh';
import { checkConstruct, inputProblems } from '../../core/problems/construct-problems';
import { type Finding, sortFindings } from '../../core/problems/finding';
import { statement } from '../../core/problems/problem';
import type { SourceLocation } from '../../core/problems/source-location';
import { DEFAULT_ISTIO_VERSION, VersionPolicy } from '../../core/version/version-policy';
import type { Manifest, RenderedObject } from '../../model/objects';
import { extraObjects, type RenderedApp, renderApp } from '../synth/render-app';

/** Rule id of the problems constructs report through `node.addValidation`. */
export const CONSTRUCT_RULE = 'construct';

/**
 * Validates everything an app would write, before it is written: every construct's own
 * validations, then every app rule over the rendered objects. Returns all findings (errors and
 * warnings), sorted; never throws for a finding.
 */
export async function validateApp(root: IConstruct, rules: readonly AppRule[] = APP_RULES): Promise<Finding[]> {
  return (await validateAppObjects(root, rules)).findings;
}

/** What {@link validateAppObjects} found and the objects it checked, as rendered for the check. */
export interface AppValidation {
  readonly findings: Finding[];
  readonly objects: readonly RenderedObject[];
  /**
   * The app rendered once, as its output folder is written: present when `root` is an App that
   * renders whole (nothing refused, every object renders).
   */
  readonly rendered?: RenderedApp;
}

/** {@link validateApp}, also returning the rendered objects, so a synth can write exactly what was checked. */
export async function validateAppObjects(
  root: IConstruct,
  rules: readonly AppRule[] = APP_RULES,
): Promise<AppValidation> {
  const constructs = root.node.findAll();
  const findings: Finding[] = [];
  // A construct that recorded bad input is reported as refused; it and everything under it are
  // kept from the other checks and the rules: what it built came from that input and would only
  // repeat the refusal.
  const refused = constructs.filter((c) => inputProblems(c).length > 0).map((c) => c.node.path);
  const under = (c: IConstruct, path: string) => c.node.path === path || c.node.path.startsWith(`${path}/`);
  const accepted = constructs.filter((c) => !refused.some((path) => under(c, path)));
  const checked = new Set([...accepted, ...constructs.filter((c) => refused.includes(c.node.path))]);
  for (const construct of constructs) {
    if (!checked.has(construct)) continue;
    // Our constructs register their checks as data; any other construct's validations are text.
    const problems = checkConstruct(construct) ?? construct.node.validate().map((text) => statement(undefined, text));
    for (const problem of problems) {
      findings.push({ ...problem, severity: 'error', rule: CONSTRUCT_RULE, path: construct.node.path });
    }
  }
  findings.push(...foreignMeshFindings(constructs, root));
  const { objects, rendered } = renderForRules(root, accepted, findings);
  const schemas = await ObjectSchemas.load(
    crdBundles(constructs),
    objects.map((o) => o.manifest),
  );
  const context = { constructs: accepted, targets: builtMeshes(accepted), objects, schemas, complete: true };
  findings.push(...runRules(context, rules, root.node.path || '(app)'));
  for (const construct of constructs) findings.push(...inputFindingsOf(construct));
  return { findings: sortFindings(locateFindings(findings, constructs)), objects, ...(rendered ? { rendered } : {}) };
}

/**
 * What the rules read. An app without a problem so far renders once, chart by chart as cdk8s
 * does ({@link renderApp}), and a synth writes exactly those manifests. Otherwise each accepted
 * object renders on its own, so that one that cannot is reported with every other problem.
 */
function renderForRules(
  root: IConstruct,
  accepted: readonly IConstruct[],
  findings: Finding[],
): { objects: readonly RenderedObject[]; rendered?: RenderedApp } {
  if (root instanceof App && findings.every((f) => f.severity !== 'error')) {
    try {
      const rendered = renderApp(root);
      return { objects: rendered.objects, rendered };
    } catch {
      // Rendered one by one below, which names the object that fails.
    }
  }
  const objects: RenderedObject[] = [];
  for (const construct of accepted) {
    if (!ApiObject.isApiObject(construct)) continue;
    try {
      objects.push({ path: construct.node.path, apiObject: construct, manifest: construct.toJson() as Manifest });
    } catch (error) {
      findings.push({
        severity: 'error',
        rule: CONSTRUCT_RULE,
        path: construct.node.path,
        what: `cannot be rendered: ${(error as Error).message}`,
      });
    }
  }
  return { objects: [...objects, ...extraObjects(accepted)] };
}

/**
 * A construct given a mesh built in another app: the mesh-wide settings it contributes (install
 * inputs, the root Telemetry, extension providers) land in that app's tree, which this app never
 * writes, so a tracer or provider it names would exist nowhere.
 */
function foreignMeshFindings(constructs: readonly IConstruct[], root: IConstruct): Finding[] {
  const findings: Finding[] = [];
  for (const construct of constructs) {
    const mesh = (construct as unknown as { mesh?: unknown }).mesh;
    if (!isIstioMesh(mesh) || mesh.node.root === root.node.root) continue;
    findings.push({
      severity: 'error',
      rule: CONSTRUCT_RULE,
      path: construct.node.path,
      ...statement(
        ['mesh'],
        `is the IstioMesh ${mesh.node.path} of another App, so what this construct sets mesh-wide is written by that App, not this one`,
        'build the mesh in the same App as the constructs that use it',
      ),
    });
  }
  return findings;
}

/** Findings a front end recorded while building the app (e.g. refused pieces of a config file). */
function inputFindingsOf(construct: IConstruct): readonly Finding[] {
  const findings = (construct as unknown as { inputFindings?: unknown }).inputFindings;
  return Array.isArray(findings) ? (findings as Finding[]) : [];
}

/**
 * Adds the config location of the nearest construct a front end declared (constructs with a
 * `locations` map of construct path → place in the config file) to findings that have none.
 */
function locateFindings(findings: readonly Finding[], constructs: readonly IConstruct[]): Finding[] {
  const locations = new Map<string, SourceLocation>();
  for (const construct of constructs) {
    const map = (construct as unknown as { locations?: unknown }).locations;
    if (map instanceof Map) for (const [path, location] of map) locations.set(String(path), location as SourceLocation);
  }
  if (locations.size === 0) return [...findings];
  return findings.map((finding) => {
    if (finding.location) return finding;
    const segments = finding.path.split('/');
    for (let n = segments.length; n > 0; n--) {
      const location = locations.get(segments.slice(0, n).join('/'));
      if (location) return { ...finding, location };
    }
    return finding;
  });
}

/** The CRD bundles of the meshes in the app (the default release's when there is none). */
function crdBundles(constructs: readonly IConstruct[]): string[] {
  const meshes = builtMeshes(constructs);
  const policies = meshes.length > 0 ? meshes.map((m) => m.policy) : [VersionPolicy.resolve(DEFAULT_ISTIO_VERSION)];
  return crdBundlesOf(policies.flatMap((p) => (p instanceof VersionPolicy ? [p] : [])));
}
