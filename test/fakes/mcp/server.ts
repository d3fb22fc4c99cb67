/**
 * A small MCP server over stdio, written with the real SDK, for tests and manual runs:
 *
 *   node --import tsx test/fakes/mcp/server.ts
 *
 * Its tools are in tools.ts (add, echo, big, slow, fail).
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { buildTestMcpServer } from './tools.js';

await buildTestMcpServer().connect(new StdioServerTransport());
