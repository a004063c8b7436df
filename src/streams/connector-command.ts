// The command line both connectors share: name, version, --about/--format, logging and progress options, and
// help/version text on stderr (stdout carries only Singer messages). Each CLI adds its own options to it.
import { Command, Option } from 'commander';
import { logOptions } from './log-lines.js';
import { progressOption } from './progress-line.js';

export function connectorCommand(spec: { name: string; description: string; version: string; about: string }): Command {
  const [logLevel, logFormat] = logOptions();
  return new Command()
    .name(spec.name)
    .description(spec.description)
    .version(spec.version)
    .option('--about', spec.about)
    .addOption(new Option('--format <format>', 'format of --about').choices(['json', 'markdown']).default('json'))
    .addOption(logLevel!)
    .addOption(logFormat!)
    .addOption(progressOption())
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stderr.write(s), writeErr: (s) => process.stderr.write(s) });
}
