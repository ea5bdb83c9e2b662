/** Where something is in a file: `observability.yaml:12:5`, `telemetry.yaml:8`, or a whole file. */
export interface SourceLocation {
  /** The file, as the user named it. */
  readonly file: string;
  /** 1-based; absent when the problem is with the whole file (it cannot be read). */
  readonly line?: number;
  /** 1-based; absent where only the line is known. */
  readonly column?: number;
}

/** `file:line:column`, `file:line` or `file`. */
export function renderLocation(location: SourceLocation): string {
  if (location.line === undefined) return location.file;
  return location.column === undefined
    ? `${location.file}:${location.line}`
    : `${location.file}:${location.line}:${location.column}`;
}
