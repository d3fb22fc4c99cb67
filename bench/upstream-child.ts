// The fake upstream in its own process, so the benchmark's CPU and event-loop numbers are
// parley's alone. Prints one JSON line {url} once listening; options come as JSON in argv[2].
import { startFakeUpstream, type FakeUpstreamOptions } from '../test/fakes/upstream/server.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as FakeUpstreamOptions;
const fake = await startFakeUpstream({ ...opts, port: 0 });
process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);
process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
