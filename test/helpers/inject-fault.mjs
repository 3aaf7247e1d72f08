// Loaded into a spawned `serve` (NODE_OPTIONS=--import …) by the last-resort tests: each SIGUSR2 makes the process
// throw from a timer (MAILWRIGHT_TEST_FAULT=throw, a real uncaught exception) or leave a rejected promise
// unhandled (=reject), the two things the last-resort policy exists for. Never loaded outside those tests.
const mode = process.env.MAILWRIGHT_TEST_FAULT;
let n = 0;
process.on('SIGUSR2', () => {
  n += 1;
  const error = new Error(`injected fault ${n}`);
  if (mode === 'reject') void Promise.reject(error);
  else
    setImmediate(() => {
      throw error;
    });
});
