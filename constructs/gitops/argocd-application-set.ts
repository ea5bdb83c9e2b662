import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import type { CaveatSource } from '../../core/contracts/construct-sources';
import { problem, throwIfProblems } from '../../core/errors';
import { isDnsLabel, urlHasCredentials } from '../../core/names';
import { type Problem, statement } from '../../core/problems/problem';

export interface ArgoCdApplicationSetProps {
  /** @default 'istio-observability' */
  readonly name?: string;
  /** Namespace Argo CD runs in. @default 'argocd' */
  readonly namespace?: string;
  /** The git repository the synthesized output is committed to. */
  readonly repoURL: string;
  /** @default 'HEAD' */
  readonly revision?: string;
  /** The folder holding one folder per cluster, relative to the repository root, e.g. `dist/clusters`. */
  readonly clustersPath: string;
  /** @default 'default' */
  readonly project?: string;
  /** Delete objects removed from git. @default false */
  readonly prune?: boolean;
}

/**
 * An Argo CD `ApplicationSet` whose git directory generator makes one Application per cluster
 * folder (`<clustersPath>/*`), deployed to the Argo CD cluster of the folder's name. Argo CD, not
 * this library, delivers; the schema is Argo CD's CRD as packaged by @kubernetes-models/argo-cd.
 */
export class ArgoCdApplicationSet extends ApiObject implements CaveatSource {
  private readonly repoURL: string;

  constructor(scope: Construct, id: string, props: ArgoCdApplicationSetProps) {
    const name = props.name ?? 'istio-observability';
    const namespace = props.namespace ?? 'argocd';
    throwIfProblems(scope, [
      ...(isDnsLabel(name) ? [] : [problem([id, 'name'], name, 'an RFC 1123 label')]),
      ...(isDnsLabel(namespace) ? [] : [problem([id, 'namespace'], namespace, 'an RFC 1123 label')]),
      ...(props.repoURL.length > 0 ? [] : [problem([id, 'repoURL'], props.repoURL, 'a git repository URL')]),
      ...(/^[^/].*[^/]$|^[^/]$/.test(props.clustersPath)
        ? []
        : [problem([id, 'clustersPath'], props.clustersPath, 'a relative path without a trailing /')]),
    ]);
    const source = { repoURL: props.repoURL, targetRevision: props.revision ?? 'HEAD' };
    super(scope, id, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name, namespace },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [
          {
            git: {
              repoURL: props.repoURL,
              revision: source.targetRevision,
              directories: [{ path: `${props.clustersPath}/*` }],
            },
          },
        ],
        template: {
          metadata: { name: `${name}-{{.path.basename}}` },
          spec: {
            project: props.project ?? 'default',
            source: { ...source, path: '{{.path.path}}' },
            destination: { name: '{{.path.basename}}' },
            syncPolicy: { automated: { prune: props.prune ?? false, selfHeal: true } },
          },
        },
      },
    });
    this.repoURL = props.repoURL;
  }

  caveats(): readonly Problem[] {
    return urlHasCredentials(this.repoURL)
      ? [
          statement(
            ['repoURL'],
            'carries credentials (user:token@), which this ApplicationSet stores in git and in the cluster in plain text; give Argo CD the credentials as a repository Secret instead',
          ),
        ]
      : [];
  }
}
