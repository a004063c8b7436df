#!/usr/bin/env node
// target-salesforce-bulk: Singer messages on stdin -> Salesforce Bulk API 2.0 ingest jobs. stdout carries only the
// STATE values the StateGate lets out; logs, progress and the summary go to stderr.
import { connectionConfigSchemaPath, Redactor } from '../bulk/index.js';
import { connectorCommand } from '../streams/connector-command.js';
import { LineLogger, type LogFormat, type LogLevel } from '../streams/log-lines.js';
import { readJsonFile } from '../streams/config-file.js';
import { ConnectorError, EXIT_CODES } from '../streams/connector-errors.js';
import { packageVersion, renderAbout, schemaPath, secretValues, type PluginDescriptor } from '../streams/plugin-about.js';
import { parseTargetConfig } from './target-config.js';
import { RunReport } from './run-report.js';
import { TargetRun } from './target-run.js';

const NAME = 'target-salesforce-bulk';
const DESCRIPTION = 'Load Singer records into Salesforce through the Bulk API 2.0; every row accounted for, nothing sent twice.';

const SCHEMA_FILES = () => [connectionConfigSchemaPath(), schemaPath('target-config.schema.json')];

function about(): PluginDescriptor {
  return {
    name: NAME,
    description: DESCRIPTION,
    version: packageVersion(),
    capabilities: ['about', 'validate-records'],
    schemaFiles: SCHEMA_FILES(),
  };
}

async function main(argv: string[]): Promise<number> {
  const program = connectorCommand({
    name: NAME,
    description: DESCRIPTION,
    version: packageVersion(),
    about: 'describe the target: capabilities and every setting',
  })
    .option('-c, --config <file>', 'JSON config file (connection keys and the target\'s keys)')
    .option('--dry-run', 'read the input and run every check; create no job, and report what would be sent')
    .option('--summary <file>', 'also write the final summary as JSON to this file');
  try {
    program.parse(argv);
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode ?? EXIT_CODES.CONFIG_INVALID;
    return code === 0 ? 0 : EXIT_CODES.CONFIG_INVALID;
  }
  const opts = program.opts<{ config?: string; about?: boolean; format: 'json' | 'markdown'; dryRun?: boolean; summary?: string; logLevel: LogLevel; logFormat: LogFormat; progressSeconds: number }>();
  const redactor = new Redactor();
  const logger = new LineLogger({ name: NAME, level: opts.logLevel, format: opts.logFormat, redactor });
  if (opts.about) {
    process.stdout.write(renderAbout(about(), opts.format));
    return 0;
  }
  if (!opts.config) {
    logger.log('error', `${NAME}: missing --config FILE (the connection keys and the target's keys)`);
    return EXIT_CODES.CONFIG_INVALID;
  }
  const configFile = opts.config;
  const interrupt = new AbortController();
  let signals = 0;
  const onSignal = (sig: string): void => {
    signals++;
    if (signals > 1) process.exit(EXIT_CODES.INTERRUPTED); // a second signal: stop now; the ledger resumes
    logger.log('warn', `${sig}: stopping after the jobs in flight; a second ${sig} stops at once`);
    process.stdin.pause();
    interrupt.abort();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  try {
    const raw = readJsonFile(configFile, 'config file', 'CONFIG_INVALID');
    for (const secret of secretValues(raw, SCHEMA_FILES())) redactor.add(secret);
    const config = parseTargetConfig(raw);
    const s = config.settings;
    if (Object.keys(s.streams).length > 0 || s.unmapped_streams === 'by_name') config.connection(); // name a bad connection key now
    const run = new TargetRun({
      config,
      input: process.stdin,
      stdout: (line) => process.stdout.write(line),
      logger,
      dryRun: Boolean(opts.dryRun),
      summaryFile: opts.summary,
      interrupt: interrupt.signal,
      report: new RunReport(logger, { everyMs: opts.progressSeconds * 1000 }),
    });
    const summary = await run.run();
    if (summary.exitCode !== 0 && summary.message) logger.log(summary.exitCode === EXIT_CODES.ROWS_FAILED ? 'warn' : 'error', summary.message);
    return summary.exitCode;
  } catch (e) {
    if (e instanceof ConnectorError) {
      logger.log('error', e.message);
      return e.exitCode;
    }
    logger.log('error', (e as Error)?.stack ?? String(e));
    return EXIT_CODES.RUN_FAILED;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
    // stdout may still be flushing to a pipe: let it drain, then leave (stdin may still be open).
    process.stdout.write('', () => process.exit(code));
  },
  (e) => {
    process.stderr.write(`${NAME}: ${String(e)}\n`);
    process.exit(EXIT_CODES.RUN_FAILED);
  },
);
