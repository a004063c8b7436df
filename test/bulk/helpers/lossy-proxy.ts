// A proxy in front of the emulator that loses chosen replies: the request reaches the emulator and is
// processed, but the client's connection is cut before the reply arrives. This is the failure that makes
// a non-idempotent request's outcome unknown, and the emulator's own faults (which refuse before
// processing) cannot produce it.
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LossyProxy {
  readonly url: string;
  /** "METHOD path" of each reply that was dropped. */
  readonly dropped: string[];
  close(): Promise<void>;
}

export async function startLossyProxy(
  t: { teardown(fn: () => unknown): void },
  target: string,
  drop: (req: IncomingMessage) => boolean,
): Promise<LossyProxy> {
  const to = new URL(target);
  const dropped: string[] = [];
  const server = createServer((req, res) => {
    const lose = drop(req);
    const up = httpRequest(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        if (lose) {
          dropped.push(`${req.method} ${req.url}`);
          upRes.resume();
          upRes.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => req.socket.destroy());
    req.pipe(up);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const proxy: LossyProxy = {
    url,
    dropped,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  t.teardown(() => proxy.close());
  return proxy;
}
