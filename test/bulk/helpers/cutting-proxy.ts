// A proxy in front of the emulator that breaks chosen replies in the middle of their body: the request
// reaches the emulator and is processed, the status line and headers arrive, then either the connection
// closes after half the body ('socket'), or a gzip body stops short inside a cleanly ended HTTP message
// ('gzip'). These are the failures a client meets when a load balancer or a flaky link drops a reply mid-way.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { startLoopbackProxy } from './loopback-proxy.js';

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
  const cuts: CutRecord[] = [];
  let rule: { cut: BodyCut; match: (req: IncomingMessage) => boolean; left: number } | undefined;
  const cutReply = (cut: BodyCut) => (req: IncomingMessage, res: ServerResponse, upRes: IncomingMessage): void => {
    // Test bodies are small: hold this one reply whole so that exactly half of it can be sent.
    const chunks: Buffer[] = [];
    upRes.on('data', (c: Buffer) => chunks.push(c));
    upRes.on('end', () => {
      const body = Buffer.concat(chunks);
      const half = Math.floor(body.length / 2);
      cuts.push({ request: `${req.method} ${req.url}`, cut, status: upRes.statusCode ?? 0, encoding: upRes.headers['content-encoding'], sent: half, total: body.length });
      if (cut === 'socket') {
        // The full length is announced, half arrives, then the connection drops.
        res.writeHead(upRes.statusCode ?? 502, { ...framing(upRes.headers), 'content-length': String(body.length) });
        res.write(body.subarray(0, half), () => setImmediate(() => req.socket.destroy()));
      } else {
        // A well-formed HTTP message whose gzip stream stops short.
        res.writeHead(upRes.statusCode ?? 502, { ...framing(upRes.headers), 'content-length': String(half) });
        res.end(body.subarray(0, half));
      }
    });
  };
  const proxy = await startLoopbackProxy(t, target, (req) => {
    const armed = rule !== undefined && rule.match(req) ? rule : undefined;
    if (!armed) return undefined;
    if (--armed.left <= 0) rule = undefined;
    return cutReply(armed.cut);
  });
  return {
    url: proxy.url,
    cuts,
    arm(cut, match, times = 1) {
      rule = { cut, match, left: times };
    },
    close: () => proxy.close(),
  };
}
