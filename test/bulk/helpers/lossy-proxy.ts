// A proxy in front of the emulator that loses chosen replies: the request reaches the emulator and is
// processed, but the client's connection is cut before the reply arrives. This is the failure that makes
// a non-idempotent request's outcome unknown, and the emulator's own faults (which refuse before
// processing) cannot produce it.
import type { IncomingMessage } from 'node:http';
import { startLoopbackProxy, type LoopbackProxy } from './loopback-proxy.js';

export interface LossyProxy extends LoopbackProxy {
  /** "METHOD path" of each reply that was dropped. */
  readonly dropped: string[];
}

export async function startLossyProxy(
  t: { teardown(fn: () => unknown): void },
  target: string,
  drop: (req: IncomingMessage) => boolean,
): Promise<LossyProxy> {
  const dropped: string[] = [];
  const proxy = await startLoopbackProxy(t, target, (req) =>
    drop(req)
      ? (req, _res, upstream) => {
          dropped.push(`${req.method} ${req.url}`);
          upstream.resume();
          upstream.on('end', () => req.socket.destroy());
        }
      : undefined,
  );
  return { url: proxy.url, close: () => proxy.close(), dropped };
}
