#!/usr/bin/env node
// tap-salesforce-bulk: Singer tap over Bulk API 2.0. stdout carries only Singer messages (or the catalog /
// about document asked for); every log line, progress and summary goes to stderr. Exit codes: EXIT_CODES.
import { BulkClient, Redactor, SalesforceError, connectionConfigSchemaPath } from '../bulk/index.js';
import { connectorCommand } from '../streams/connector-command.js';
import { LineLogger, type LogFormat, type LogLevel } from '../streams/log-lines.js';
import { ProgressLine } from '../streams/progress-line.js';
import { readJsonFile } from '../streams/config-file.js';
import { packageVersion, renderAbout, schemaPath, secretValues, type PluginDescriptor } from '../streams/plugin-about.js';
import { ConnectorError, EXIT_CODES } from '../streams/connector-errors.js';
import { parseCatalog } from '../streams/singer-catalog.js';
import { SingerWriter } from '../streams/singer-writer.js';
import { discover } from './discovery.js';
import { parseTapConfig } from './tap-config.js';
import { EMPTY_STATE, parseState } from './tap-state.js';
import { ProgressReport } from './progress.js';
import { runSync } from './tap-run.js';

interface CliOptions {
  config?: string[];
  discover?: boolean;
  catalog?: string;
  properties?: string;
  state?: string;
  about?: boolean;
  format: 'json' | 'markdown';
  test?: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
  progressSeconds: number;
}

const redactor = new Redactor();
let interruptedBy: NodeJS.Signals | undefined;
const interrupted = () => interruptedBy !== undefined;
const NAME = 'tap-salesforce-bulk';
// Replaced once --log-level / --log-format are parsed; until then (argument errors) plain text at info.
let logger = new LineLogger({ name: NAME, level: 'info', format: 'text', redactor });
const say = (line: string) => logger.log('info', line);

const SCHEMA_FILES = () => [connectionConfigSchemaPath(), schemaPath('tap-config.schema.json')];

function about(): PluginDescriptor {
  return {
    name: NAME,
    description: 'Singer tap for Salesforce: Bulk API 2.0 query jobs, parallel result pages, resumable to the row',
    version: packageVersion(),
    capabilities: ['catalog', 'discover', 'state', 'about', 'test'],
    schemaFiles: SCHEMA_FILES(),
  };
}

/** Config files merged left to right (Meltano and the SDK accept several). */
function loadConfig(files: readonly string[]) {
  let merged: Record<string, unknown> = {};
  for (const f of files) {
    const raw = readJsonFile(f, 'config file', 'CONFIG_INVALID');
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConnectorError('CONFIG_INVALID', `the config file ${f} must hold a JSON object`, { where: f });
    merged = { ...merged, ...(raw as Record<string, unknown>) };
  }
  for (const secret of secretValues(merged, SCHEMA_FILES())) redactor.add(secret);
  return parseTapConfig(merged);
}

async function writeOut(text: string): Promise<void> {
  await new Promise<void>((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
}

async function main(argv: string[]): Promise<number> {
  const program = connectorCommand({
    name: NAME,
    description: 'Singer tap for Salesforce over Bulk API 2.0',
    version: packageVersion(),
    about: 'describe the tap and its settings',
  })
    .option('-c, --config <file...>', 'JSON config file(s): connection keys and tap settings (later files override)')
    .option('-d, --discover', 'write the catalog of every stream the org can serve to stdout')
    .option('--catalog <file>', 'Singer catalog with the streams and fields selected')
    .option('-p, --properties <file>', 'legacy name of --catalog')
    .option('-s, --state <file>', 'STATE value of a previous run (resumes to the row)')
    .option('--test', 'check credentials and API access; print a one-line verdict on stderr');
  try {
    program.parse(argv);
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode ?? 2;
    return code === 0 ? 0 : EXIT_CODES.CONFIG_INVALID;
  }
  const o = program.opts<CliOptions>();
  logger = new LineLogger({ name: NAME, level: o.logLevel, format: o.logFormat, redactor });
  if (o.about) {
    await writeOut(renderAbout(about(), o.format));
    return 0;
  }
  if (!o.config?.length) throw new ConnectorError('CONFIG_INVALID', 'missing --config FILE (the connection keys and tap settings)');
  if (o.catalog && o.properties) throw new ConnectorError('CONFIG_INVALID', 'give either --catalog or --properties, not both');
  const config = loadConfig(o.config);
  const catalogFile = o.catalog ?? o.properties;
  // Inputs are checked before any connection is made.
  const catalog = catalogFile ? parseCatalog(readJsonFile(catalogFile, 'catalog'), catalogFile) : undefined;
  const state = o.state ? parseState(readJsonFile(o.state, 'state file'), o.state) : EMPTY_STATE;
  if (!o.discover && !o.test && !catalog) throw new ConnectorError('CONFIG_INVALID', 'nothing to do: give --discover, --catalog FILE (or --properties FILE), --test or --about');

  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    interruptedBy = sig;
    if (signals > 1) process.exit(EXIT_CODES.INTERRUPTED);
    logger.log('warn', `${NAME}: ${sig}: stopping after the last safe STATE`);
    controller.abort(new ConnectorError('INTERRUPTED', `stopped by ${sig}`));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const client = await BulkClient.connect(config.connection, { logger, redactor, signal: controller.signal, poll: { initialMs: 100 } });
  try {
    if (o.test) {
      const a = await client.bulkAllowance({ signal: controller.signal });
      const g = await client.describe.sobjects({ signal: controller.signal });
      const jobs = a.bulkV2QueryJobs ? `, ${a.bulkV2QueryJobs.remaining} of ${a.bulkV2QueryJobs.max} daily query jobs left` : '';
      say(`ok: connected to ${client.instanceUrl} (API v${client.apiVersion}); ${g.sobjects.filter((s) => s.queryable).length} queryable objects${jobs}`);
      return 0;
    }
    if (o.discover) {
      const result = await discover(client, config.settings, logger, controller.signal);
      await writeOut(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    const writer = new SingerWriter(process.stdout);
    const progress = new ProgressReport(say);
    const line = new ProgressLine({ logger, snapshot: () => progress.snapshot(), tty: Boolean(process.stderr.isTTY), everyMs: o.progressSeconds * 1000 });
    line.start();
    try {
      await runSync({ client, settings: config.settings, catalog: catalog!, state, writer, logger, signal: controller.signal, stderr: say, progress });
    } finally {
      line.stop();
    }
    await writer.flush();
    return 0;
  } finally {
    await client.close();
  }
}

function exitCodeOf(e: unknown): number {
  if (e instanceof ConnectorError) return e.exitCode;
  if (e instanceof SalesforceError) return e.code === 'SF_CONFIG' ? EXIT_CODES.CONFIG_INVALID : e.code === 'SF_LIMIT_EXCEEDED' ? EXIT_CODES.QUOTA_LOW : EXIT_CODES.RUN_FAILED;
  return EXIT_CODES.RUN_FAILED;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (process.exitCode === undefined && interrupted() && !(e instanceof ConnectorError)) {
      logger.log('warn', `${NAME}: interrupted before the first window; nothing to resume`);
      process.exitCode = EXIT_CODES.INTERRUPTED;
      return;
    }
    const err = e as Error;
    const job = e instanceof SalesforceError && e.jobId ? ` (job ${e.jobId})` : '';
    logger.log('error', `${NAME}: ${e instanceof SalesforceError && e.code === 'SF_AUTH' ? 'authentication failed: ' : ''}${err.message}${job}`);
    if (!(e instanceof ConnectorError) && !(e instanceof SalesforceError)) logger.log('error', err.stack ?? '');
    process.exitCode = exitCodeOf(e);
  },
);
