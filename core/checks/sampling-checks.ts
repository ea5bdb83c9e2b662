import { problem } from '../errors';
import type { FieldPath } from '../problems/field-path';
import type { InputRule } from '../problems/input-rule';
import type { Problem } from '../problems/problem';

export const samplingPercentageRule: InputRule = {
  id: 'sampling-percentage',
  summary:
    'Sampling percentages are numbers from 0 to 100, and 0 only through the Telemetry API: ProxyConfig and values.pilot.traceSampling read 0 as unset and sample 1% (istio/istio@1.30.3:pilot/pkg/networking/core/tracing.go).',
};

/** Why 0 cannot be given through ProxyConfig, and what to use instead. */
export function samplingZeroProblem(): { what: string; expected: string; hint: string } {
  return {
    what: 'Istio reads a ProxyConfig sampling of 0 as unset and falls back to the default (1%)',
    expected: 'a percentage above 0',
    hint: 'to trace nothing use the Telemetry API (the mesh tracing mechanism "telemetry-api"), whose randomSamplingPercentage takes 0',
  };
}

/**
 * Problems with a sampling percentage: ProxyConfig and pilot sampling refuse 0, Telemetry
 * `randomSamplingPercentage` (`zeroAllowed`) takes it.
 */
export function samplingProblems(field: FieldPath, percentage: number, zeroAllowed = false): Problem[] {
  if (typeof percentage !== 'number' || !Number.isFinite(percentage) || percentage < 0 || percentage > 100) {
    return [problem(field, percentage, 'a percentage from 0 to 100')];
  }
  if (percentage === 0 && !zeroAllowed) {
    const { what, expected, hint } = samplingZeroProblem();
    return [problem(field, percentage, expected, { what, hint })];
  }
  return [];
}
