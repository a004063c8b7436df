// A proxy in front of the emulator that breaks chosen replies in the middle of their body: the request
// reaches the emulator and is processed, the status line and headers arrive, then either the connection
// closes after half the body ('socket'), or a gzip body stops short inside a cleanly ended HTTP message
// ('gzip'). These are the failures a client meets when a load balancer or a flaky link drops a reply mid-way.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type BodyCut = 'socket' | 'gzip';

export interface CutRecord {
  readonly request: string;
  readonly cut: BodyCut;
  readonly status: number;
  readonly encoding: string | undefined;
  /** Bytes of the body sent, and in all. */
  readonly sent: number;
  readonly total: number;
}

export interface CuttingProxy {
  readonly url: string;
  /** Every reply that was cut, in order. */
  readonly cuts: CutRecord[];
  /** Cuts the next `times` replies whose request matches (default once); replaces any rule still armed. */
  arm(cut: BodyCut, match: (req: IncomingMessage) => boolean, times?: number): void;
  close(): Promise<void>;
}

/** The headers without the upstream's framing (length, chunking, connection): the proxy frames its own reply. */
function framing(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || k === 'content-length' || k === 'transfer-encoding' || k === 'connection' || k === 'keep-alive') continue;
    out[k] = v;
  }
  return out;
}

export async function startCuttingProxy(t: { teardown(fn: () => unknown): void }, target: string): Promise<CuttingProxy> {
  const to = new URL(target);
  const cuts: CutRecord[] = [];
  let rule: { cut: BodyCut; match: (req: IncomingMessage) => boolean; left: number } | undefined;
  const server = createServer((req, res) => {
    const armed = rule !== undefined && rule.match(req) ? rule : undefined;
    if (armed && --armed.left <= 0) rule = undefined;
    const up = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      if (!armed) {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        return;
      }
      // Test bodies are small: hold this one reply whole so that exactly half of it can be sent.
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        const body = Buffer.concat(chunks);
        const half = Math.floor(body.length / 2);
        const encoding = upRes.headers['content-encoding'];
        cuts.push({ request: `${req.method} ${req.url}`, cut: armed.cut, status: upRes.statusCode ?? 0, encoding, sent: half, total: body.length });
        if (armed.cut === 'socket') {
          // The full length is announced, half arrives, then the connection drops.
          res.writeHead(upRes.statusCode ?? 502, { ...framing(upRes.headers), 'content-length': String(body.length) });
          res.write(body.subarray(0, half), () => setImmediate(() => req.socket.destroy()));
        } else {
          // A well-formed HTTP message whose gzip stream stops short.
          res.writeHead(upRes.statusCode ?? 502, { ...framing(upRes.headers), 'content-length': String(half) });
          res.end(body.subarray(0, half));
        }
      });
    });
    up.on('error', () => req.socket.destroy());
    req.pipe(up);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const proxy: CuttingProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cuts,
    arm(cut, match, times = 1) {
      rule = { cut, match, left: times };
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  t.teardown(() => proxy.close());
  return proxy;
}
