import { parse } from 'yaml';
import { CUSTOM_BOOTSTRAP_KEY } from '../core/istio/istio-names';
import type { Manifest, RenderedObject } from './objects';

/**
 * Parses a bootstrap override as pilot-agent reads it, YAML or JSON (istio/istio@1.30.3:
 * pkg/envoy/proxy.go readBootstrapToJSON): JSON first,
 * since overrides are JSON and JSON.parse is much faster than a YAML parser on thousands of them.
 * @throws the YAML parser's error when the text is neither
 */
export function parseBootstrapText(text: string): unknown {
  const parsed = parsedTexts.get(text);
  if (parsed !== undefined) return parsed;
  const value = parseBootstrap(text);
  // Several rules parse each override, once per file a lint checks: remember the last ones read.
  if (parsedTexts.size >= PARSED_TEXTS_KEPT) parsedTexts.delete(parsedTexts.keys().next().value as string);
  parsedTexts.set(text, value);
  return value;
}

const PARSED_TEXTS_KEPT = 256;
const parsedTexts = new Map<string, unknown>();

function parseBootstrap(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return parse(text, { version: '1.1' });
  }
}

/** A ConfigMap carrying a bootstrap override, with the key's value as written (any JSON type). */
export interface BootstrapConfigMap {
  readonly path: string;
  readonly value: unknown;
  readonly object: RenderedObject;
}

/** The `custom_bootstrap.json` value of a ConfigMap (core v1) that has the key, as written; undefined otherwise. */
export function bootstrapOverrideOf(manifest: Manifest): { readonly value: unknown } | undefined {
  if (manifest.kind !== 'ConfigMap' || manifest.apiVersion !== 'v1') return undefined;
  const data = (manifest.data ?? {}) as Record<string, unknown>;
  return CUSTOM_BOOTSTRAP_KEY in data ? { value: data[CUSTOM_BOOTSTRAP_KEY] } : undefined;
}

/** Every ConfigMap (core v1) that has a `custom_bootstrap.json` key. */
export function bootstrapConfigMaps(objects: readonly RenderedObject[]): BootstrapConfigMap[] {
  return objects.flatMap((object) => {
    const override = bootstrapOverrideOf(object.manifest);
    return override ? [{ path: object.path, value: override.value, object }] : [];
  });
}
