import { accessLoggingSection } from './access-logging';
import { namespacesSection, waypointsSection } from './ambient';
import { backendsSection } from './backends';
import { bootstrapOverridesSection } from './bootstrap-overrides';
import { demoAppSection } from './demo-app';
import {
  attributeGeneratorsSection,
  metricDefinitionsSection,
  metricDimensionsSection,
  statsInclusionSection,
} from './metrics';
import type { SectionBuilder } from './section-builder';
import { slosSection } from './slos';
import {
  customTraceTagsSection,
  openTelemetryTracersSection,
  pilotTraceSamplingSection,
  traceSamplingSection,
  zipkinTracersSection,
} from './tracing';
import { workloadsSection } from './workloads';

/**
 * Every section of the config after `mesh`, in build order: the demo app, the waypoints, the
 * namespaces (their data plane and waypoint) and the declared workloads first (they are targets), the backends before the tracers (a tracer without an address sends to the generated
 * Jaeger), attribute generators before the dimensions that read their attributes.
 */
export const SECTION_BUILDERS: readonly SectionBuilder[] = [
  demoAppSection,
  waypointsSection,
  namespacesSection,
  workloadsSection,
  backendsSection,
  statsInclusionSection,
  attributeGeneratorsSection,
  metricDimensionsSection,
  metricDefinitionsSection,
  pilotTraceSamplingSection,
  traceSamplingSection,
  zipkinTracersSection,
  openTelemetryTracersSection,
  customTraceTagsSection,
  accessLoggingSection,
  bootstrapOverridesSection,
  slosSection,
];
