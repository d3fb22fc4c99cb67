// The ops server in-process: readiness follows each surface's lifecycle and the store, turns
// 503 the moment shutdown begins, counts MUD reconnects; tokens work as header or query.
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { OpsEvents } from '../../src/ops/events.js';
import { startOpsServer, type OpsServer } from '../../src/ops/server.js';
import { SurfaceMonitor } from '../../src/ops/surfaces.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { HistoryStore } from '../../src/store/types.js';
import type { Adapter } from '../../src/types.js';

function fakeAdapter(platform: Adapter['platform']): Adapter & { up: boolean } {
  return {
    platform,
    up: false,
    async start() {},
    async stop() {},
    isUp() {
      return this.up;
    },
  };
}

describe('ops server', () => {
  let server: OpsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(opts: { store?: HistoryStore; token?: string } = {}) {
    const events = new OpsEvents();
    const surfaces = new SurfaceMonitor(events);
    server = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      token: opts.token,
      showContent: false,
      events,
      surfaces,
      store: opts.store ?? new MemoryStore(),
      queueDepth: () => 0,
      logger: createLogger('silent'),
    });
    const readyz = async () => {
      const res = await fetch(`${server!.url}/readyz`);
      return { status: res.status, body: (await res.json()) as { notReady: string[] } };
    };
    return { events, surfaces, url: server.url, readyz };
  }

  it('is not ready until every surface is up, and names the ones that are not', async () => {
    const { surfaces, readyz } = await start();
    const mud = fakeAdapter('mud');
    const telegram = fakeAdapter('telegram');
    surfaces.add(mud);
    surfaces.add(telegram);
    expect(await readyz()).toMatchObject({ status: 503, body: { notReady: ['mud', 'telegram'] } });
    surfaces.started(telegram);
    surfaces.started(mud);
    telegram.up = true;
    expect(await readyz()).toMatchObject({ status: 503, body: { notReady: ['mud'] } }); // started, not logged in yet
    mud.up = true;
    expect(await readyz()).toMatchObject({ status: 200, body: { notReady: [] } });
  });

  it('turns 503 as soon as shutdown begins, with every surface still up', async () => {
    const { surfaces, readyz } = await start();
    const telegram = fakeAdapter('telegram');
    telegram.up = true;
    surfaces.add(telegram);
    surfaces.started(telegram);
    expect((await readyz()).status).toBe(200);
    surfaces.beginShutdown();
    expect(await readyz()).toMatchObject({ status: 503, body: { notReady: ['shutting down', 'telegram'] } });
    expect((await fetch(`${server!.url}/healthz`)).status).toBe(200);
  });

  it('names the store when it cannot be reached', async () => {
    const broken = Object.assign(new MemoryStore(), { counter: () => Promise.reject(new Error('disk gone')) });
    const { readyz } = await start({ store: broken });
    expect(await readyz()).toMatchObject({ status: 503, body: { notReady: ['store'] } });
  });

  it('counts a MUD link that comes back as one reconnect', async () => {
    const { surfaces, url } = await start();
    const mud = fakeAdapter('mud');
    surfaces.add(mud);
    surfaces.started(mud);
    for (const up of [true, false, true]) {
      mud.up = up;
      surfaces.sample();
    }
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('parley_mud_reconnects_total 1');
    expect(text).toContain('parley_mud_link_up 1');
  });

  it('takes the token as a bearer header or ?token=, never for /healthz', async () => {
    const { url } = await start({ token: 's3cret' });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    expect((await fetch(`${url}/?token=s3cret`)).status).toBe(200);
    expect((await fetch(`${url}/?token=s3cre`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { method: 'POST', headers: { authorization: 'Bearer s3cret' } })).status).toBe(405);
  });
});
