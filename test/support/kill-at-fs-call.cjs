// Preloaded (`node --require`) into a synth process by test/atomic-output.test.ts: counts the
// file-system calls that touch KILL_UNDER (the output's parent folder) and SIGKILLs the process
// right before call number KILL_AT, so every point of the write and the swap can be tested.
// With KILL_AT unset it only reports the count on exit (stderr line `fs-calls: <n>`).
const fs = require('node:fs');

const under = process.env.KILL_UNDER;
const at = Number(process.env.KILL_AT ?? 0);
let calls = 0;

for (const name of ['mkdirSync', 'mkdtempSync', 'writeFileSync', 'renameSync', 'rmSync']) {
  const original = fs[name];
  fs[name] = function (...args) {
    if (under && String(args[0]).startsWith(under)) {
      calls++;
      if (calls === at) process.kill(process.pid, 'SIGKILL');
    }
    return original.apply(this, args);
  };
}

process.on('exit', () => {
  if (!at) process.stderr.write(`fs-calls: ${calls}\n`);
});
