// scripts/run-tests.mjs, which CI trusts for its last line: it counts leaf assertions as tap does, a failing point
// or a crashed file is never green, and a file that hangs ends at the timeout, reported as a failure.
import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

const ROOT = packageRoot();
const fixture = (name: string) => join('dist', 'test', 'runner', 'fixtures', `${name}.js`);

function runTests(files: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/run-tests.mjs', ...files], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lastLine = (s: string) => s.trimEnd().split('\n').at(-1);

t.test('passing files: leaf points counted (not the subtest points), skips apart, exit 0', async (t) => {
  const r = await runTests([fixture('passing'), fixture('passing')]);
  t.equal(r.code, 0, r.stderr);
  t.equal(lastLine(r.stdout), '6 passed, 0 failed, 2 skipped');
  t.match(r.stdout, /^ok 1 - dist\/test\/runner\/fixtures\/passing\.js # time=/m);
  t.match(r.stdout, /^1\.\.2$/m, 'the plan: one point per file');
});

t.test('a failing point fails its file and the run', async (t) => {
  const r = await runTests([fixture('passing'), fixture('failing')]);
  t.equal(r.code, 1);
  t.equal(lastLine(r.stdout), '4 passed, 1 failed, 1 skipped');
  t.match(r.stdout, /^not ok \d - dist\/test\/runner\/fixtures\/failing\.js/m);
});

t.test('a file that crashes before any TAP counts as one failure, with its exit code and stderr shown', async (t) => {
  const r = await runTests([fixture('crashing')]);
  t.equal(r.code, 1);
  t.equal(lastLine(r.stdout), '0 passed, 1 failed, 0 skipped');
  t.match(r.stdout, /exit code: 3/);
  t.match(r.stderr, /# stderr of dist\/test\/runner\/fixtures\/crashing\.js:\ncrashing on purpose/);
});

t.test('a file that hangs ends at the timeout and fails', async (t) => {
  const started = Date.now();
  const r = await runTests([fixture('hanging')], { TEST_TIMEOUT_SECONDS: '1' });
  t.equal(r.code, 1);
  t.equal(lastLine(r.stdout), '0 passed, 1 failed, 0 skipped');
  t.match(r.stdout, /timeout!/, "tap's own timeout report");
  t.ok(Date.now() - started < 30_000, 'well before the backstop kill');
});

t.test('no files, no green run', async (t) => {
  const r = await runTests(['dist/test/runner/fixtures/no-such-file.js']);
  t.equal(r.code, 1);
  t.match(lastLine(r.stdout), /^0 passed, 1 failed/);
});
