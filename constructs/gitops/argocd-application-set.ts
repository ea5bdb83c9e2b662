import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import type { CaveatSource } from '../../core/contracts/construct-sources';
import { problem, throwIfProblems } from '../../core/errors';
import { isDnsLabel, isDnsSubdomain, urlHasCredentials } from '../../core/names';
import { BadPatternError, goPathMatch } from '../../core/paths/go-path-match';
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
  /**
   * The git directory generator's `path`, a Go `path.Match` pattern over folders relative to the
   * repository root: `dist/clusters/*` for one folder per cluster, or one folder, `clusters/prod`.
   */
  readonly directory: string;
  /**
   * The Argo CD cluster every generated Application deploys to.
   * @default - the cluster named like the folder (`{{.path.basename}}`), one Application per folder
   */
  readonly destination?: string;
  /** @default 'default' */
  readonly project?: string;
  /** Delete objects removed from git. @default false */
  readonly prune?: boolean;
}

/**
 * An Argo CD `ApplicationSet` whose git directory generator makes one Application per folder that
 * `directory` matches, deployed to the Argo CD cluster of the folder's name (or `destination`).
 * Argo CD, not this library, delivers; the schema is Argo CD's CRD as packaged by
 * @kubernetes-models/argo-cd.
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
      ...directoryProblems(id, props.directory),
      ...(props.destination === undefined || isDnsSubdomain(props.destination)
        ? []
        : [problem([id, 'destination'], props.destination, 'an Argo CD cluster name')]),
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
              directories: [{ path: props.directory }],
            },
          },
        ],
        template: {
          // One folder: one Application, named like the set; else one per folder, by its name.
          metadata: { name: props.destination === undefined ? `${name}-{{.path.basename}}` : name },
          spec: {
            project: props.project ?? 'default',
            source: { ...source, path: '{{.path.path}}' },
            destination: { name: props.destination ?? '{{.path.basename}}' },
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

/**
 * A generator path Argo CD can match: relative (Argo CD lists folders as `clusters/prod`, so a
 * leading `/` or `./` matches none) and a pattern Go's `path.Match` accepts.
 */
function directoryProblems(id: string, directory: string): Problem[] {
  const expected = 'a folder pattern relative to the repository root, without a leading / or ./, e.g. dist/clusters/*';
  if (
    directory === '' ||
    directory === '.' ||
    directory.startsWith('/') ||
    directory.startsWith('./') ||
    directory.endsWith('/')
  ) {
    return [problem([id, 'directory'], directory, expected)];
  }
  try {
    goPathMatch(directory, '');
  } catch (error) {
    if (!(error instanceof BadPatternError)) throw error;
    return [problem([id, 'directory'], directory, `${expected} (Go path.Match syntax)`)];
  }
  return [];
}
