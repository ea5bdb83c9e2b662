/** Where a command prints: process.stdout or process.stderr, or a collector in tests. */
export interface Writer {
  write(text: string): unknown;
}
