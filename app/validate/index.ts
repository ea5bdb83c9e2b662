// cdk8s-istio-observability/validate: the rules, run over an app before it is written or over
// YAML files (lint); the objects they read; when a change reaches running proxies.

export { changeEffect, type StartupField, startupFields, type TakesEffect } from '../../analysis/review/change-effect';
export type { AppRule, InputRule, RuleFinding, ValidationContext } from '../../analysis/rule';
export { APP_RULES } from '../../analysis/rule-catalog';
export type { ObjectKind, ObjectSchemas, SchemaResult, SchemaSource } from '../../analysis/schema/object-schemas';
export {
  type Finding,
  formatFinding,
  type ObjectRef,
  type Severity,
  ValidationFailedError,
} from '../../core/problems/finding';
export type { Manifest, RenderedObject, ValidationTarget } from '../../model/objects';
export { type LintReport, lintManifestFiles } from '../lint/lint-stream';
export {
  type ManifestDocument,
  type ManifestFileProblem,
  type ManifestFiles,
  readManifestFiles,
} from '../lint/manifest-files';
export {
  ManifestValidationError,
  type ManifestValidationOptions,
  validateManifests,
} from '../lint/manifest-validator';
export { type AppValidation, validateApp, validateAppObjects } from './app-validator';
