// The test MCP server over streamable HTTP on 127.0.0.1 (stateless: a fresh server per request),
// answering 401 unless the request carries the expected Authorization header.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { buildTestMcpServer } from './tools.js';

export interface FakeHttpMcp {
  url: string;
  close(): Promise<void>;
}

export async function startHttpMcp(authorization: string): Promise<FakeHttpMcp> {
  const http: Server = createServer((req, res) => {
    if (req.headers.authorization !== authorization) {
      res.writeHead(401).end();
      return;
    }
    const server = buildTestMcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    void server.connect(transport).then(() => transport.handleRequest(req, res));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () => new Promise<void>((resolve) => {
      http.closeAllConnections();
      http.close(() => resolve());
    }),
  };
}
