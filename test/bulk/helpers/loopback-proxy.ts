// A loopback HTTP proxy in front of the emulator: every request reaches the emulator and is processed; what
// comes back is passed through, or handed to the interceptor chosen for that request, which decides what the
// client sees instead (nothing, half a body, garbage). The fault proxies of the client tests are built on it.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answers the client in place of the emulator's reply `upstream` (which it must consume). */
export type ReplyInterceptor = (req: IncomingMessage, res: ServerResponse, upstream: IncomingMessage) => void;

export interface LoopbackProxy {
  readonly url: string;
  close(): Promise<void>;
}

export async function startLoopbackProxy(
  t: { teardown(fn: () => unknown): void },
  target: string,
  intercept: (req: IncomingMessage) => ReplyInterceptor | undefined,
): Promise<LoopbackProxy> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    const interceptor = intercept(req);
    const up = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      if (interceptor) return interceptor(req, res, upRes);
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => req.socket.destroy());
    req.pipe(up);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const proxy: LoopbackProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  t.teardown(() => proxy.close());
  return proxy;
}
