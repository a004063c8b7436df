// The processes the demo starts, kept in one place so that every exit path (success, failure, SIGINT) stops them
// all: SIGTERM first, SIGKILL after a bounded grace.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class ChildProcesses {
  private readonly running = new Set<ChildProcess>();

  /** Starts `node script args`; its end is awaited through `finished`. */
  start(script: string, args: readonly string[], options: SpawnOptions): { child: ChildProcess; finished: Promise<Finished> } {
    const child = spawn(process.execPath, [script, ...args], options);
    this.running.add(child);
    const finished = new Promise<Finished>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        this.running.delete(child);
        resolve({ code, signal });
      });
    });
    return { child, finished };
  }

  /** SIGTERM to every process still running, SIGKILL to those still there after `graceMs`. */
  async stopAll(graceMs = 5000): Promise<void> {
    const waits = [...this.running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
        }),
    );
    await Promise.all(waits);
  }

  /** Last resort on process exit: nothing the demo started outlives it. */
  killNow(): void {
    for (const child of this.running) child.kill('SIGKILL');
  }
}

/** Starts the emulator binary and resolves with its URL (its first stdout line), bounded in time. */
export async function startEmulatorProcess(children: ChildProcesses, cli: string, args: readonly string[], onLog: (line: string) => void): Promise<string> {
  const { child, finished } = children.start(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stderr! }).on('line', onLog);
  const lines = createInterface({ input: child.stdout! });
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the emulator (${args.join(' ')}) did not start within 30 s`)), 30_000);
    void finished.then((f) => {
      clearTimeout(timer);
      reject(new Error(`the emulator (${args.join(' ')}) exited with ${f.code ?? f.signal} before listening`));
    }, reject);
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch {
        reject(new Error(`the emulator's first line is not its listening event: ${line.slice(0, 200)}`));
      }
    });
  });
}
