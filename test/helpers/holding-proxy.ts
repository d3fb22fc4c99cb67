// A reverse proxy in front of a fake server that holds chosen requests (file downloads) until
// the test releases them: "the download is slow" without a sleep. Everything else passes through.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HoldingProxy {
  /** http://127.0.0.1:<port>, to use instead of the target's origin. */
  readonly origin: string;
  /** Resolves when a held request has arrived (the next one, or one already waiting). */
  held(): Promise<string>;
  /** Lets every held request (and any later one) through. */
  releaseAll(): void;
  close(): Promise<void>;
}

export async function startHoldingProxy(target: string, shouldHold: (path: string) => boolean): Promise<HoldingProxy> {
  const targetUrl = new URL(target);
  let holding = true;
  const waiting: Array<{ path: string; go: () => void }> = [];
  let arrivals: Array<(path: string) => void> = [];

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const upstream = request(
      { host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: { ...req.headers, host: targetUrl.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!holding || !shouldHold(path)) return forward(req, res);
    waiting.push({ path, go: () => forward(req, res) });
    for (const notify of arrivals.splice(0)) notify(path);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    held() {
      const first = waiting[0];
      if (first) return Promise.resolve(first.path);
      return new Promise<string>((resolve) => arrivals.push(resolve));
    },
    releaseAll() {
      holding = false;
      for (const w of waiting.splice(0)) w.go();
    },
    async close() {
      arrivals = [];
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
