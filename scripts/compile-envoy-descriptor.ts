/**
 * Writes schemas/envoy/bootstrap-descriptor.json: Envoy's Bootstrap and Zipkin tracer types (and
 * everything they reach) as a protobufjs JSON descriptor, parsed from the protos that
 * @grpc/grpc-js-xds ships. The bootstrap check reads it instead of parsing the .proto files at
 * every synth; test/envoy-descriptor.test.ts fails when it no longer matches them (after an
 * upgrade of either package, run `npm run compile:envoy`).
 *
 * Usage: tsx scripts/compile-envoy-descriptor.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ENVOY_DESCRIPTOR, envoyDescriptorText } from '../analysis/rules/envoy-bootstrap';

mkdirSync(dirname(ENVOY_DESCRIPTOR), { recursive: true });
writeFileSync(ENVOY_DESCRIPTOR, envoyDescriptorText());
console.log(`wrote ${ENVOY_DESCRIPTOR}`);
