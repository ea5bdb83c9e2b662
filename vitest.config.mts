import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**', 'lib/**', 'dist/**'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['./test/support/run-tmpdir.ts'],
    // Ceilings against a hang, not measures: CI runs on a loaded 2-core machine, where a test that
    // takes 7 s on a quiet one (the CRD import check) was seen at 20 s.
    testTimeout: 120_000,
    // One module graph per worker instead of one per file: each file importing the library anew
    // cost about a second of a 2-core machine, more than most files' tests. Files keep no state in
    // shared modules (the suite passes in shuffled order: vitest run --sequence.shuffle.files).
    isolate: false,
    // Both cores of a 2-core machine (vitest's default leaves one idle): with the CPU shared,
    // two workers get more of it than one.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Hooks build and delete whole folders (a packed install's node_modules): on a loaded 2-core
    // machine with a slow disk that outlasts vitest's 10 s default.
    hookTimeout: 300_000,
  },
});
