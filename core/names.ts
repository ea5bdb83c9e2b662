/** Name rules shared by several constructs (Kubernetes and Prometheus). */

/** RFC 1123 label: namespaces, most object names. */
export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value);
}

/** RFC 1123 subdomain: ConfigMap names, hostnames. */
export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && value.split('.').every((part) => part.length > 0 && isDnsLabel(part));
}

/** `prefix/name` keys of labels and annotations (Kubernetes "qualified names"). */
export function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDnsSubdomain(prefix)) return false;
  return name.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name);
}

/** A label value: at most 63 characters, alphanumerics with `-_.` inside, or empty. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value);
}

/** RFC 9110 `token`: the characters an HTTP method or header name may have. */
export function isHttpToken(value: string): boolean {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value);
}

/** Prometheus label name; names starting with `__` are reserved for internal use. */
export function isPrometheusLabelName(value: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(value) && !value.startsWith('__');
}

/** Prometheus metric name without colons (colons are reserved for recording rules). */
export function isPrometheusMetricName(value: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(value);
}

/** The API group of an `apiVersion`: `networking.istio.io` for `networking.istio.io/v1`, `` (core) for `v1`. */
export function apiGroupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** Whether `url` names a user or password (`https://user:token@host`): a secret in plain text. */
export function urlHasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}
