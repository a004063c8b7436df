// --log-level and --log-format of both executables, through the real binaries against the emulator: each level
// filters, JSON lines parse with ts/level/logger/msg, no secret of the config reaches stderr (on success and on an
// authentication failure), and stdout still carries only Singer messages.
import t, { type Test } from 'tap';
import { withEmulator } from '../helpers/emulator.js';
import { connection as tapConnection, discoverCatalog, records, runTap, selectStreams, writeJson } from '../tap/tap-harness.js';
import { record, runTarget, schema, state, workDir, writeConfig } from '../target/target-harness.js';

const RANK: Record<string, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET = 'emulator-secret';

interface JsonLine {
  ts: string;
  level: string;
  logger: string;
  msg: string;
}

/** Every stderr line as a JSON object; a line that does not parse fails the test. */
function jsonLines(t: Test, stderr: string, logger: string): JsonLine[] {
  const out: JsonLine[] = [];
  for (const line of stderr.split('\n').filter((l) => l !== '')) {
    let parsed: JsonLine;
    try {
      parsed = JSON.parse(line) as JsonLine;
    } catch {
      t.fail(`a stderr line is not JSON: ${line}`);
      continue;
    }
    if (!(typeof parsed.ts === 'string' && !Number.isNaN(Date.parse(parsed.ts)) && parsed.level in RANK && parsed.logger === logger && typeof parsed.msg === 'string')) {
      t.fail(`a stderr line lacks ts/level/logger/msg: ${line}`);
    }
    out.push(parsed);
  }
  return out;
}

const levels = (lines: JsonLine[]) => new Set(lines.map((l) => l.level));

t.test('target-salesforce-bulk: levels filter, JSON lines parse, no secret on stderr, only STATE values on stdout', async (t) => {
  const h = await withEmulator(t);
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { acc: { object: 'Account' } }, unmapped_streams: 'skip' });
  // "other" is unmapped: skipped with a warning, so every level has a line to show or to filter.
  const input = [
    schema('acc', { Name: { type: 'string' } }),
    ...Array.from({ length: 5 }, (_, i) => record('acc', { Name: `log test ${i}` })),
    schema('other', { x: { type: 'string' } }),
    record('other', { x: '1' }),
    state({ done: true }),
  ];
  const seen: Record<string, Set<string>> = {};
  for (const level of ['debug', 'info', 'warn', 'error']) {
    const r = await runTarget(cfg, input, ['--log-level', level, '--log-format', 'json']);
    t.equal(r.code, 0, `--log-level ${level}: exit 0 (${r.stderr})`);
    t.same(r.states, [{ done: true }], `--log-level ${level}: stdout carries the STATE value alone`);
    const lines = jsonLines(t, r.stderr, 'target-salesforce-bulk');
    t.same(lines.filter((l) => RANK[l.level]! < RANK[level]!), [], `--log-level ${level}: nothing below ${level}`);
    t.notOk(r.stderr.includes(SECRET), `--log-level ${level}: the client secret is not on stderr`);
    seen[level] = levels(lines);
  }
  t.ok(seen.debug!.has('debug') && seen.debug!.has('info') && seen.debug!.has('warn'), 'debug shows debug, info and warn lines');
  t.ok(!seen.info!.has('debug') && seen.info!.has('info'), 'info shows info lines, no debug');
  t.same([...seen.warn!], ['warn'], 'warn shows the unmapped stream warning only');
  t.same([...seen.error!], [], 'error shows nothing on a clean run');
  t.equal((await runTarget(cfg, input, ['--log-level', 'loud'])).code, 2, 'an unknown level is a usage error');

  const text = await runTarget(cfg, input, ['--log-format', 'text']);
  t.ok(text.stderr.trim().split('\n').every((l) => /^(INFO|WARN) /.test(l)), 'text lines start with their level');

  // A wrong secret: the authentication error names the failure, never the secret.
  const wrong = 'wrong-secret-0123456789';
  const bad = writeConfig(dir, h, { streams: { acc: { object: 'Account' } }, client_secret: wrong }, 'bad.json');
  const r = await runTarget(bad, input, ['--log-level', 'debug', '--log-format', 'json']);
  t.not(r.code, 0, 'a wrong secret fails');
  const lines = jsonLines(t, r.stderr, 'target-salesforce-bulk');
  t.ok(lines.some((l) => l.level === 'error'), 'an error line says why');
  t.notOk(r.stderr.includes(wrong), 'the wrong secret is not on stderr');
  t.equal(r.stdout, '', 'nothing on stdout');
});

t.test('tap-salesforce-bulk: levels filter, JSON lines parse, no secret on stderr, only Singer messages on stdout', async (t) => {
  const h = await withEmulator(t);
  const dir = t.testdir();
  const catalog = writeJson(dir, 'cat.json', selectStreams(await discoverCatalog(dir, h.url), ['Account']));
  const cfg = writeJson(dir, 'c.json', tapConnection(h.url, { start_date: '2020-01-01', window_size_days: 3650 }));
  let rows = -1;
  for (const level of ['debug', 'info', 'warn']) {
    const r = await runTap(['--config', cfg, '--catalog', catalog, '--log-level', level, '--log-format', 'json']);
    t.equal(r.code, 0, `--log-level ${level}: exit 0 (${r.stderr})`);
    // runTap rejects a stdout line that is not JSON; each must also be a Singer message.
    t.ok(r.lines.every((m) => ['SCHEMA', 'RECORD', 'STATE'].includes(m.type)), `--log-level ${level}: stdout carries Singer messages only`);
    if (rows < 0) rows = records(r.lines).length;
    t.equal(records(r.lines).length, rows, `--log-level ${level}: the same records`);
    const lines = jsonLines(t, r.stderr, 'tap-salesforce-bulk');
    t.same(lines.filter((l) => RANK[l.level]! < RANK[level]!), [], `--log-level ${level}: nothing below ${level}`);
    if (level === 'debug') t.ok(levels(lines).has('debug') && levels(lines).has('info'), 'debug shows debug and info lines');
    if (level === 'info') t.ok(lines.some((l) => /^summary: Account: complete/.test(l.msg)), 'info shows the summary');
    t.notOk(r.stderr.includes(SECRET), `--log-level ${level}: the client secret is not on stderr`);
  }
  t.ok(rows > 0, 'records were extracted');

  const wrong = 'wrong-secret-0123456789';
  const bad = writeJson(dir, 'bad.json', tapConnection(h.url, { client_secret: wrong }));
  const r = await runTap(['--config', bad, '--catalog', catalog, '--log-format', 'json']);
  t.not(r.code, 0, 'a wrong secret fails');
  t.ok(jsonLines(t, r.stderr, 'tap-salesforce-bulk').some((l) => l.level === 'error' && /authentication failed/.test(l.msg)), 'an error line says authentication failed');
  t.notOk(r.stderr.includes(wrong), 'the wrong secret is not on stderr');
  t.same(r.lines, [], 'nothing on stdout');
});
