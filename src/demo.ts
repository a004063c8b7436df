// `npm run demo`: the main job end to end with no credentials. Two emulator processes (a demo org and an empty
// one); tap-salesforce-bulk discovers and extracts Accounts and Contacts into JSON lines files, each Contact carrying
// its Account's external id (config relationship_fields); target-salesforce-bulk loads them into the empty org
// (Accounts upserted by External_Id__c, then Contacts linked to them through Account.External_Id__c); a table of
// what happened; a check, through the emulators' admin API, that both orgs hold the same rows and values. Every
// process it starts is stopped on every way out.
// Usage: node dist/src/demo.js [--out DIR] [--scale N] [--source URL --destination URL]   (default ./demo-output, replaced on each run; scale 5:
// 1,000 Accounts and 2,000 Contacts in the source org)
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ChildProcesses, startEmulatorProcess, type Finished } from './demo/child-processes.js';
import { DEMO_STREAMS, PARENT_COLUMN, selectStream, tapConfig, targetConfig, type DemoStream } from './demo/demo-job.js';
import { adminCounts } from './demo/emulator-admin.js';
import { compareObject } from './demo/org-comparison.js';
import { ProgressView } from './demo/progress-view.js';
import { renderSummary, type PhaseTime, type StreamRow } from './demo/summary-table.js';
import { packageRoot } from './paths.js';

const MARKER = '.demo-output';
const RUN_TIMEOUT_MS = 120_000;
const bin = (name: string) => join(packageRoot(), 'dist', 'src', name, 'cli.js');

const children = new ChildProcesses();
const view = new ProgressView();
const say = (s: string) => view.line(`demo: ${s}`);

class DemoFailure extends Error {}

/** The output folder, emptied; refuses a non-empty folder the demo did not make. */
function prepareOutput(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0 && !existsSync(join(dir, MARKER))) {
    throw new DemoFailure(`${dir} exists and was not made by the demo: give another folder with --out DIR`);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), 'made by npm run demo; replaced on every run\n');
}

const writeJson = (path: string, value: unknown) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });

function check(f: Finished, what: string, stderrTail: string[]): void {
  if (f.code !== 0) throw new DemoFailure(`${what} exited with ${f.code ?? f.signal}:\n${stderrTail.join('\n')}`);
}

/** Runs a tool binary: stdout into `stdoutFile` (line by line, `onLine` sees each), stderr shown prefixed. */
async function runTool(opts: {
  cli: string;
  args: string[];
  label: string;
  stdoutFile: string;
  stdin?: string[];
  onLine?: (line: string) => void;
  onStdinBytes?: (n: number) => void;
}): Promise<void> {
  const { child, finished } = children.start(opts.cli, opts.args, { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => {
    tail.push(l);
    if (tail.length > 20) tail.shift();
    view.line(`  ${opts.label} | ${l}`);
  });
  const out = createWriteStream(opts.stdoutFile, { mode: 0o600 });
  const copied = (async () => {
    for await (const line of createInterface({ input: child.stdout!, crlfDelay: Infinity })) {
      opts.onLine?.(line);
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  })();
  // A tool that stops early closes its stdin (EPIPE): feeding stops, and its exit code says why.
  const fed = (async () => {
    if (!opts.stdin) return;
    const stdin = child.stdin!;
    stdin.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => stdin.once('close', () => resolve()));
    for (const file of opts.stdin) {
      for await (const chunk of createReadStream(file)) {
        if (stdin.destroyed) return;
        opts.onStdinBytes?.((chunk as Buffer).length);
        if (!stdin.write(chunk)) await Promise.race([new Promise<void>((resolve) => stdin.once('drain', () => resolve())), closed]);
      }
    }
    stdin.end();
  })();
  const timer = setTimeout(() => child.kill('SIGTERM'), RUN_TIMEOUT_MS);
  try {
    const f = await finished;
    await Promise.all([copied, fed]);
    check(f, opts.label, tail);
  } finally {
    clearTimeout(timer);
  }
}

async function main(argv: string[]): Promise<void> {
  const flag = (name: string) => (argv.indexOf(name) >= 0 ? argv[argv.indexOf(name) + 1] : undefined);
  const out = resolve(flag('--out') ?? 'demo-output');
  const scale = flag('--scale') ?? '5';
  if (!/^[1-9][0-9]{0,2}$/.test(scale)) throw new DemoFailure(`--scale must be a whole number from 1 to 999, not ${scale}`);
  prepareOutput(out);
  const started = Date.now();
  const phases: PhaseTime[] = [];
  const emuLog = (label: string) => (l: string) => view.line(`  ${label} | ${l}`);

  // --source/--destination URL: orgs already running (a test that inspects them afterwards); else two emulators.
  const given = { source: flag('--source'), destination: flag('--destination') };
  if (!given.source || !given.destination) say('starting two emulators: the demo org (source) and an empty org (destination)');
  const [source, destination] = await Promise.all([
    given.source ?? startEmulatorProcess(children, bin('emulator'), ['--seed', 'demo', '--scale', scale], emuLog('source org')),
    given.destination ?? startEmulatorProcess(children, bin('emulator'), ['--seed', 'empty'], emuLog('destination org')),
  ]);
  say(`source org at ${source}, destination org at ${destination}`);
  const live = await adminCounts(source);

  const tapCfg = join(out, 'tap.config.json');
  writeJson(tapCfg, tapConfig(source));
  const targetCfg = join(out, 'target.config.json');
  writeJson(targetCfg, targetConfig(destination, { state: join(out, 'target-state'), failed: join(out, 'failed-records') }));

  say(`tap-salesforce-bulk --config ${tapCfg} --discover`);
  const discovered = join(out, 'catalog.discovered.json');
  let t0 = Date.now();
  await runTool({ cli: bin('tap'), args: ['--config', tapCfg, '--discover'], label: 'tap --discover', stdoutFile: discovered });
  const catalog = JSON.parse(readFileSync(discovered, 'utf8')) as Parameters<typeof selectStream>[0];
  phases.push({ name: 'discover', seconds: (Date.now() - t0) / 1000, records: 0 });

  // Extract: one tap process per stream, side by side, each with its own catalog and its own output file.
  const streams = Object.keys(DEMO_STREAMS) as DemoStream[];
  const extracted: Record<string, number> = {};
  const files: Record<string, string> = {};
  const expected = streams.reduce((n, s) => n + (live[s]?.live ?? 0), 0);
  view.phase('extract', expected, 'records');
  t0 = Date.now();
  await Promise.all(
    streams.map(async (s) => {
      const cat = join(out, `catalog.${s}.json`);
      writeJson(cat, selectStream(catalog, s));
      files[s] = join(out, `${s}.jsonl`);
      extracted[s] = 0;
      say(`tap-salesforce-bulk --config ${tapCfg} --catalog ${cat} > ${files[s]}`);
      await runTool({
        cli: bin('tap'),
        args: ['--config', tapCfg, '--catalog', cat],
        label: `tap ${s}`,
        stdoutFile: files[s]!,
        onLine: (l) => {
          if (l.startsWith('{"type":"RECORD"')) {
            extracted[s]!++;
            view.update(Object.values(extracted).reduce((a, b) => a + b, 0));
          }
        },
      });
    }),
  );
  const totalExtracted = Object.values(extracted).reduce((a, b) => a + b, 0);
  phases.push({ name: 'extract (2 taps in parallel)', seconds: (Date.now() - t0) / 1000, records: totalExtracted });
  view.endPhase();

  // Load: Accounts then Contacts into one target run; depends_on holds Contact jobs until the Account jobs are done.
  const inputs = [files.Account!, files.Contact!];
  const inputBytes = inputs.reduce((n, f) => n + readFileSync(f).length, 0);
  const summaryFile = join(out, 'target-summary.json');
  const stateOut = join(out, 'target-state.jsonl');
  say(`cat ${inputs.join(' ')} | target-salesforce-bulk --config ${targetCfg} --summary ${summaryFile} > ${stateOut}`);
  view.phase('load', inputBytes, 'bytes read by the target');
  let fedBytes = 0;
  t0 = Date.now();
  await runTool({
    cli: bin('target'),
    args: ['--config', targetCfg, '--summary', summaryFile],
    label: 'target',
    stdoutFile: stateOut,
    stdin: inputs,
    onStdinBytes: (n) => view.update((fedBytes += n)),
  });
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as {
    streams: Record<string, { read: number; loaded: number; failed: number; failedByCode: Record<string, number>; skippedUnchanged: number; alreadySent: number; notLoaded: number }>;
    failedRowFiles: string[];
  };
  const loadedTotal = Object.values(summary.streams).reduce((n, c) => n + c.loaded, 0);
  phases.push({ name: 'load (1 target, 2 streams in order)', seconds: (Date.now() - t0) / 1000, records: loadedTotal });
  view.endPhase();

  // Check: both orgs hold the same Accounts and Contacts, value for value, Contacts linked to the same Accounts.
  t0 = Date.now();
  const comparisons = await Promise.all([
    compareObject(source, destination, 'Account', 'External_Id__c', DEMO_STREAMS.Account.filter((f) => f !== 'External_Id__c')),
    compareObject(source, destination, 'Contact', 'External_Id__c', [
      ...DEMO_STREAMS.Contact.filter((f) => f !== 'External_Id__c'),
      PARENT_COLUMN,
    ]),
  ]);
  phases.push({ name: 'compare the two orgs', seconds: (Date.now() - t0) / 1000, records: comparisons.reduce((n, c) => n + c.source + c.destination, 0) });
  phases.push({ name: 'whole demo', seconds: (Date.now() - started) / 1000, records: totalExtracted });

  view.stop();
  const rows: StreamRow[] = streams.map((s) => {
    const c = summary.streams[s];
    return {
      stream: s,
      extracted: extracted[s] ?? 0,
      loaded: c?.loaded ?? 0,
      failed: c?.failed ?? 0,
      failedReasons: c?.failedByCode ?? {},
      skipped: c ? c.skippedUnchanged + c.alreadySent + c.notLoaded : 0,
    };
  });
  process.stderr.write(`\n${renderSummary(rows, phases)}\n\n`);
  for (const c of comparisons) {
    process.stderr.write(
      c.differences.length === 0
        ? `check: ${c.object}: the two orgs hold the same ${c.source} rows, every field equal\n`
        : `check: ${c.object}: the orgs differ (${c.source} rows in the source, ${c.destination} in the destination):\n${c.differences.map((d) => `  ${d}`).join('\n')}\n`,
    );
  }
  process.stderr.write(
    `\noutput files in ${out}:\n` +
      `  ${Object.values(files).map((f) => f.slice(out.length + 1)).join(', ')}  what the tap extracted (Singer JSON lines), as fed to the target\n` +
      `  catalog.discovered.json, catalog.Account.json, catalog.Contact.json, tap.config.json, target.config.json\n` +
      `  target-summary.json, target-state.jsonl${summary.failedRowFiles.length ? `, failed rows: ${summary.failedRowFiles.join(', ')}` : ', failed-records/ (empty: no row failed)'}\n`,
  );
  const failedChecks = comparisons.filter((c) => c.differences.length > 0 || c.source === 0);
  if (failedChecks.length) throw new DemoFailure(`the destination org does not match the source org (${failedChecks.map((c) => c.object).join(', ')})`);
  process.stderr.write('demo: done: the two orgs match\n');
}

let interrupted = false;
const onSignal = (sig: NodeJS.Signals) => {
  if (interrupted) return;
  interrupted = true;
  view.stop();
  process.stderr.write(`demo: ${sig}: stopping everything it started\n`);
  void children.stopAll().finally(() => process.exit(130));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('exit', () => children.killNow());

main(process.argv.slice(2))
  .then(
    () => 0,
    (e: unknown) => {
      if (interrupted) return 130;
      view.stop();
      process.stderr.write(`demo: failed: ${e instanceof DemoFailure ? e.message : ((e as Error).stack ?? String(e))}\n`);
      return 1;
    },
  )
  .then(async (code) => {
    await children.stopAll();
    if (!interrupted) process.exit(code);
  });
