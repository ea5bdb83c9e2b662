/**
 * A module loaded on first use. Importing the package root must not load what a program may never
 * use: the CEL parser (constructs that translate CEL), the Grafana SDK (dashboards), each tens of
 * modules, paid by every `cdk8s synth` of an app that has no such construct.
 */
export function lazily<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}
