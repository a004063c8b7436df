// The environment for the processes tests start: the test's own, plus `extra`. The suite runs each test file as a
// plain node program (scripts/run-tests.mjs), so children start as a user starts them. (Under tap's own runner,
// process-on-spawn would put tap's @tapjs/processinfo preload back into every child's NODE_OPTIONS, whatever
// environment is passed here: that is why the suite does not use that runner.)
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}
