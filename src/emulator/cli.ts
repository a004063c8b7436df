#!/usr/bin/env node
process.stderr.write('salesforce-bulk-emulator: not yet implemented\n');
process.exit(2);
