// Crash-test failpoints. With TARGET_SALESFORCE_BULK_FAILPOINT=<name>, the target says on stderr that it reached the
// named point and blocks there synchronously (nothing else of it runs) until killed, 60 s at most. Tests use this to
// kill -9 inside a step that no outside event can catch, such as between writing failed rows and recording them.
import { writeSync } from 'node:fs';

export function failpoint(name: string): void {
  if (process.env.TARGET_SALESFORCE_BULK_FAILPOINT !== name) return;
  writeSync(2, `failpoint ${name} reached\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
}
