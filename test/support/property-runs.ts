/**
 * Runs of a property that synthesizes a whole declaration (about 70 ms each on a quiet 2-core
 * machine, three times that with the CPU shared): 300 in CI, whose whole suite must finish within
 * 12 minutes on a loaded 2-core machine, and 150 locally. PROPERTY_RUNS overrides both
 * (`PROPERTY_RUNS=1000 npm test` for a deep run). fast-check draws a new seed every run, so CI
 * explores new declarations each time, and a failure prints the seed that replays it.
 */
export const SYNTH_PROPERTY_RUNS = Number(process.env.PROPERTY_RUNS ?? (process.env.CI ? 300 : 150));

/**
 * The time limit of such a property: a ceiling against a hang, never a measure. A synth takes about
 * 70 ms on a quiet machine and was seen at 400 ms with the CPU shared by a second vitest worker and
 * two busy loops, so each run gets 2 s.
 */
export const SYNTH_PROPERTY_TIMEOUT = Math.max(120_000, SYNTH_PROPERTY_RUNS * 2_000);
