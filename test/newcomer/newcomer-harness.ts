// What the newcomer tests share: the package's root and binaries, a bounded child-process runner, and Meltano's way
// of turning meltano.yml (+ environment variables) into the config file a plugin is given.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = {
  tap: join(ROOT, 'dist', 'src', 'tap', 'cli.js'),
  target: join(ROOT, 'dist', 'src', 'target', 'cli.js'),
  emulator: join(ROOT, 'dist', 'src', 'emulator', 'cli.js'),
  demo: join(ROOT, 'dist', 'src', 'demo.js'),
};

export interface Ran {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  readonly timeoutMs?: number;
  /** Sees stdout so far after each chunk; may signal the child. */
  readonly onStdout?: (all: string, kill: (sig: NodeJS.Signals) => void) => void;
  /** Sees stderr so far after each chunk; may signal the child. */
  readonly onStderr?: (all: string, kill: (sig: NodeJS.Signals) => void) => void;
}

/** Runs a command to its end, bounded in time (killed and rejected past the bound). */
export function run(cmd: string, args: readonly string[], o: RunOptions = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: o.cwd ?? ROOT, env: o.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      o.onStdout?.(stdout, (sig) => child.kill(sig));
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      o.onStderr?.(stderr, (sig) => child.kill(sig));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(o.input ?? '');
    const timeoutMs = o.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} did not finish within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export const node = (script: string, args: readonly string[], o?: RunOptions) => run(process.execPath, [script, ...args], o);

/** A temporary folder removed when the test ends. */
export function tempDir(t: { teardown(fn: () => void): void }, prefix = 'newcomer-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const example = (name: string) => join(ROOT, 'examples', name);
export const exampleJson = (name: string) => JSON.parse(readFileSync(example(name), 'utf8')) as Record<string, unknown>;

// ---- Meltano ----

export interface MeltanoSetting {
  name: string;
  kind?: string;
  value?: unknown;
  sensitive?: boolean;
  description?: string;
  options?: { label: string; value: unknown }[];
}

export interface MeltanoPlugin {
  name: string;
  namespace: string;
  executable: string;
  capabilities?: string[];
  settings: MeltanoSetting[];
  config?: Record<string, unknown>;
  select?: string[];
}

export interface MeltanoProject {
  default_environment?: string;
  environments: { name: string; config?: { plugins?: Record<string, { name: string; config?: Record<string, unknown> }[]> } }[];
  plugins: { extractors: MeltanoPlugin[]; loaders: MeltanoPlugin[] };
  jobs?: { name: string; tasks: string | string[] }[];
}

export function meltanoProject(): MeltanoProject {
  return parseYaml(readFileSync(example('meltano.yml'), 'utf8')) as MeltanoProject;
}

export function meltanoPlugin(project: MeltanoProject, name: string): { plugin: MeltanoPlugin; type: 'extractors' | 'loaders' } {
  for (const type of ['extractors', 'loaders'] as const) {
    const plugin = project.plugins[type].find((p) => p.name === name);
    if (plugin) return { plugin, type };
  }
  throw new Error(`meltano.yml has no plugin ${name}`);
}

/** Meltano's environment variable for a setting: <PLUGIN_NAME>_<SETTING_NAME>, upper case, other characters `_`. */
export const meltanoEnvVar = (plugin: string, setting: string) => `${plugin}_${setting}`.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/**
 * The config Meltano hands a plugin: for each known setting, the environment variable, else the environment's
 * config, else the plugin's config, else the setting's default value; values from the environment are parsed by
 * the setting's kind. Settings without a value are left out.
 */
export function meltanoConfig(project: MeltanoProject, name: string, environment: string, env: Record<string, string | undefined>): Record<string, unknown> {
  const { plugin, type } = meltanoPlugin(project, name);
  const envCfg = project.environments.find((e) => e.name === environment)?.config?.plugins?.[type]?.find((p) => p.name === name)?.config ?? {};
  const out: Record<string, unknown> = {};
  for (const s of plugin.settings) {
    const fromEnv = env[meltanoEnvVar(name, s.name)];
    let v: unknown = fromEnv !== undefined ? parseByKind(fromEnv, s.kind) : s.name in envCfg ? envCfg[s.name] : plugin.config && s.name in plugin.config ? plugin.config[s.name] : s.value;
    if (v !== undefined && v !== null) out[s.name] = v;
  }
  return out;
}

function parseByKind(text: string, kind: string | undefined): unknown {
  switch (kind) {
    case 'integer':
      return Number.parseInt(text, 10);
    case 'decimal':
      return Number(text);
    case 'boolean':
      return ['true', '1', 'yes', 'on', 't', 'y'].includes(text.toLowerCase());
    case 'object':
    case 'array':
      return JSON.parse(text) as unknown;
    default:
      return text;
  }
}
