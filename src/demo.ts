// `npm run demo`: the main job on the embedded emulator. Grows with the emulator, tap and target issues.
process.stderr.write('demo: the emulator is being built; nothing to run yet\n');
