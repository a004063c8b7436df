#!/usr/bin/env node
// target-salesforce-bulk: Singer messages on stdin -> Salesforce Bulk API 2.0 ingest jobs. stdout carries only the
// STATE values the StateGate lets out; logs, progress and the summary go to stderr.
import { setFlagsFromString } from 'node:v8';
import { Command } from 'commander';
import { stderrLogger, type LogLevel } from '../bulk/index.js';
import { readJsonFile } from '../streams/config-file.js';
import { ConnectorError, EXIT_CODES } from '../streams/connector-errors.js';
import { parseTargetConfig } from './target-config.js';
import { TargetRun } from './target-run.js';

const NAME = 'target-salesforce-bulk';

// Every record is short-lived garbage; V8's default 16 MB semi-spaces let RSS drift upwards with the record count
// although nothing is retained (bench/target-load.mjs). As the tap does; the new space reads this when it grows.
setFlagsFromString('--max-semi-space-size=4');

async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name(NAME)
    .description('Load Singer records into Salesforce through the Bulk API 2.0; every row accounted for, nothing sent twice.')
    .requiredOption('-c, --config <file>', 'JSON config file (connection keys and the target\'s keys)')
    .option('--dry-run', 'read the input and run every check; create no job, and report what would be sent')
    .option('--summary <file>', 'also write the final summary as JSON to this file')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stderr.write(s), writeErr: (s) => process.stderr.write(s) });
  try {
    program.parse(argv);
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode ?? EXIT_CODES.CONFIG_INVALID;
    return code === 0 ? 0 : EXIT_CODES.CONFIG_INVALID;
  }
  const opts = program.opts<{ config: string; dryRun?: boolean; summary?: string; logLevel: string }>();
  const level = (['debug', 'info', 'warn', 'error'].includes(opts.logLevel) ? opts.logLevel : 'info') as LogLevel;
  const logger = stderrLogger(level);
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
    const config = parseTargetConfig(readJsonFile(opts.config, 'config file', 'CONFIG_INVALID'));
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
