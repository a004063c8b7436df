#!/usr/bin/env node
// Placeholder until its issue lands: says so and exits 2 so no pipeline mistakes it for a working connector.
process.stderr.write('target-salesforce-bulk: not yet implemented\n');
process.exit(2);
