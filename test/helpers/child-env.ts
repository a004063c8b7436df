// The environment for the processes tests start. tap preloads its process tracker into every test process through
// NODE_OPTIONS (for coverage, which this suite does not gather), and children inherit it: each start of a binary,
// emulator or demo then loads it again (measured: ~0.4 s per child start on 2 busy cores). The binaries are run as
// a user runs them, without it; whatever else NODE_OPTIONS holds is kept.
const TAP_PRELOAD = /"?--(?:import|loader|require)[= ][^\s"]*@tapjs\/processinfo[^\s"]*"?/g;

export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  const options = (env.NODE_OPTIONS ?? '').replace(TAP_PRELOAD, '').trim();
  if (options) env.NODE_OPTIONS = options;
  else delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (k.startsWith('_TAPJS_PROCESSINFO_')) delete env[k];
  return env;
}
