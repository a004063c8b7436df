// --help and --version of both executables, through the real binaries: the text goes to stderr and stdout stays
// empty, because stdout is piped straight into the next Singer tool and carries only Singer messages.
import t from 'tap';
import { BIN, run } from '../newcomer/newcomer-harness.js';

for (const [name, cli] of [['tap-salesforce-bulk', BIN.tap], ['target-salesforce-bulk', BIN.target]] as const) {
  t.test(`${name}: --help and --version on stderr, nothing on stdout`, async (t) => {
    const help = await run(process.execPath, [cli, '--help']);
    t.equal(help.code, 0, help.stderr);
    t.equal(help.stdout, '', 'stdout empty');
    t.match(help.stderr, /^Usage: /m, 'the usage text on stderr');
    t.match(help.stderr, /--config <file/, "names --config");
    const version = await run(process.execPath, [cli, '--version']);
    t.equal(version.code, 0, version.stderr);
    t.equal(version.stdout, '', 'stdout empty');
    t.match(version.stderr, /^\d+\.\d+\.\d+/);
  });
}
