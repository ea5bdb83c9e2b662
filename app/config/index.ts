// cdk8s-istio-observability/config: observability.yaml, read and checked, and the stacks it
// declares (ObservabilityStack).

export { ObservabilityStack, type ObservabilityStackProps } from '../stacks/observability-stack';
export type { Locate } from '../stacks/stack-context';
export {
  type ClusterDeclaration,
  ConfigFile,
  ConfigFileError,
  type ConfigProblem,
  formatConfigProblem,
} from './config-file';
export type * from './observability-config';
