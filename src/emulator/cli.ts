#!/usr/bin/env node
// salesforce-bulk-emulator: a local Bulk API 2.0 server. One JSON line on stdout when listening; logs on stderr.
import { Command, InvalidArgumentError } from 'commander';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { loadFaultFile, type FaultConfig } from './faults.js';
import { startEmulator } from './start-emulator.js';

function positiveNumber(name: string, allowZero = true) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
      throw new InvalidArgumentError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, not "${raw}"`);
    }
    return n;
  };
}

// Seeding keeps every row it builds, so V8 learns to allocate straight into the old generation at the allocation
// sites the store and the ingest engine share; an ingest job's per-row temporaries made there then pile up as old
// garbage (about 130 MB a 1M-row upsert in a 1M-Account org) and start a full mark of the org right after the
// job, in the client's first result download. Without that learning they die young.
setFlagsFromString('--no-allocation-site-pretenuring');

const program = new Command()
  .name('salesforce-bulk-emulator')
  .description('A faithful local Salesforce Bulk API 2.0 server with an in-memory org and fault injection.')
  .option('--host <host>', 'address to bind (loopback unless told otherwise)', '127.0.0.1')
  .option('--port <port>', 'port to listen on (0 = any free port)', positiveNumber('--port'), 0)
  .option('--seed <seed>', 'org to start with: demo, empty, or a seed FILE.json', 'demo')
  .option('--scale <n>', 'size multiplier of the demo org', positiveNumber('--scale', false), 1)
  .option('--faults <file>', 'fault configuration FILE.json (see schemas/emulator-faults.schema.json)')
  .option('--processing-rate <records_per_s>', 'modelled records per second per internal batch (0 = unthrottled)', positiveNumber('--processing-rate'), 0)
  .option('--parallelism <n>', 'internal batches processed at the same moment', positiveNumber('--parallelism', false), 4)
  .option('--token-ttl <seconds>', 'access token lifetime', positiveNumber('--token-ttl', false), 7200)
  .option('--jwt-public-key <file...>', 'PEM public key (or certificate) trusted for the JWT bearer flow')
  .option('--refresh-token <token...>', 'refresh token(s) accepted from start (otherwise mint one: POST /__emulator/refresh-tokens)')
  .option('--security-token <token>', 'security token the password flow requires after the password', '')
  .option('--verbose', 'log every request to stderr', false);

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{
    host: string; port: number; seed: string; scale: number; faults?: string; processingRate: number;
    parallelism: number; tokenTtl: number; jwtPublicKey?: string[]; refreshToken?: string[]; securityToken: string; verbose: boolean;
  }>();
  let faults: FaultConfig | undefined;
  let keys: KeyObject[] = [];
  try {
    if (o.faults) faults = loadFaultFile(o.faults);
    keys = (o.jwtPublicKey ?? []).map((f) => createPublicKey(readFileSync(f)));
  } catch (e) {
    process.stderr.write(`salesforce-bulk-emulator: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const started = Date.now();
  const emu = await startEmulator({
    host: o.host,
    port: o.port,
    seed: o.seed,
    scale: o.scale,
    faults,
    processingRate: o.processingRate,
    parallelism: o.parallelism,
    tokenTtlSeconds: o.tokenTtl,
    jwtPublicKeys: keys,
    refreshTokens: o.refreshToken,
    securityToken: o.securityToken,
    verbose: o.verbose,
  });
  process.stdout.write(JSON.stringify({ event: 'listening', url: emu.url }) + '\n');
  const counts = emu.state.org.types().map((t) => `${t.name}=${emu.state.org.table(t.name)?.count(true) ?? 0}`).filter((s) => !s.endsWith('=0'));
  process.stderr.write(`salesforce-bulk-emulator: org ${emu.state.org.orgId} seeded in ${Date.now() - started} ms (${counts.join(', ')})\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`salesforce-bulk-emulator: ${signal}, stopping\n`);
    void emu.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => {
  process.stderr.write(`salesforce-bulk-emulator: ${(e as Error).message}\n`);
  process.exit(1);
});
