import { isPolicyNoteSource } from '../../core/contracts/construct-sources';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';
import { constructWarnings } from './construct-notes';

/**
 * Reports, as warnings, what constructs changed or left out to fit the target release: an intent
 * the release expresses more broadly (Telemetry `mode` also covering gateways), a deprecated
 * setting not emitted (extraStatTags from 1.21), a mechanism with a known conflict (new metrics by
 * EnvoyFilter next to the Telemetry API, istio/istio#39772).
 */
export const versionAdaptationRule: AppRule = {
  id: 'version-adaptation',
  scope: 'object',
  summary:
    'Warns where an intent was adapted to the target Istio release: a Telemetry mode that also covers other proxy kinds, extraStatTags not emitted from 1.21, new metrics through an EnvoyFilter next to the Telemetry API (istio/istio#39772), ProxyConfig sampling without the default tracer (1.22+).',
  remediation:
    'Read how the intent was adapted to the target release; target a newer release for the intent as written.',
  kinds: ['Telemetry', 'EnvoyFilter'],
  severity: 'warning',
  docs: 'docs/validation.md#version-adaptation',
  check(context: ValidationContext): RuleFinding[] {
    return constructWarnings(context, isPolicyNoteSource, (source) => source.policyNotes());
  },
};
