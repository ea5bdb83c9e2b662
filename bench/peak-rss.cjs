// Preloaded (`node --require bench/peak-rss.cjs ...`) by the benchmarks: prints the process's peak
// resident memory on stderr as it exits, the same way for our command line and for a baseline.
process.on('exit', () => {
  process.stderr.write(`\npeak-rss-kb: ${process.resourceUsage().maxRSS}\n`);
});
