// What a user reads when the provider refuses: our localized line, then the provider's own short
// reason once (redacted, truncated). Error bodies are the seed shapes from test/llm/fixtures.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/app.js';
import { DETAIL_MAX_CODE_POINTS, errorLine } from '../../src/conversation/errors.js';
import { errorFromResponse, errorFromStreamObject } from '../../src/llm/errors.js';
import { registerSecret } from '../../src/log.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { NGINX_502, SEED004_ERROR, STATUS_KINDS } from '../llm/fixtures.js';
import { API_KEY, incoming, makeCore, RecordingSurface } from './harness.js';

const official = (message: string, code: string | null = null, type = 'invalid_request_error') =>
  JSON.stringify({ error: { message, type, param: null, code } });

const http = (status: number, bodyText: string) => errorFromResponse({ status, bodyText, headers: {} });

/** zh lines may quote the provider (inside “…”) and name a few terms; anything else Latin is debris. */
function englishDebris(zhLine: string): string[] {
  const withoutQuote = zhLine.replace(/“[^”]*”/g, '');
  return (withoutQuote.match(/[A-Za-z]{2,}/g) ?? []).filter((w) => !['API', 'token'].includes(w));
}

describe('errorLine: a refusal reads as our line plus the provider reason once', () => {
  const reason = "Invalid value for 'temperature': must be at most 1.";

  it('en: a 400 shows the provider detail exactly once, never our English fallback as a detail', () => {
    const line = errorLine('en', http(400, official(reason)));
    expect(line).toBe(`The provider could not accept this request. Provider says: "${reason}"`);
    expect(line).not.toContain('AI service');
    expect(line.split(reason)).toHaveLength(2);
  });

  it('zh: the same 400 is Chinese apart from the quoted provider detail', () => {
    const line = errorLine('zh', http(400, official(reason)));
    expect(line).toBe(`服务商无法接受这个请求。服务商说明：“${reason}”`);
    expect(englishDebris(line)).toEqual([]);
  });

  it.each(STATUS_KINDS)('zh: HTTP %i (%s) has no English debris', (status) => {
    expect(englishDebris(errorLine('zh', http(status, official('Something went wrong upstream.'))))).toEqual([]);
    expect(englishDebris(errorLine('zh', http(status, NGINX_502)))).toEqual([]);
    expect(englishDebris(errorLine('zh', http(status, SEED004_ERROR)))).toEqual([]);
  });

  it('a 400 without a reason (empty body, HTML page) is just our line', () => {
    expect(errorLine('en', http(400, ''))).toBe('The provider could not accept this request.');
    expect(errorLine('zh', http(400, ''))).toBe('服务商无法接受这个请求。');
  });

  it('seed 004 envelope: its message is the detail of a refused request', () => {
    const body = JSON.stringify({ success: false, error: { code: 'token_mismatched', message: 'model gpt-9 is not supported' }, trace_id: 't-1' });
    expect(errorLine('en', http(400, body))).toBe('The provider could not accept this request. Provider says: "model gpt-9 is not supported"');
  });

  it('auth and server failures keep the provider reason for the log only', () => {
    expect(errorLine('en', http(401, official('Incorrect API key provided: sk-abc***xyz.', 'invalid_api_key')))).not.toContain('Provider says');
    expect(errorLine('en', http(500, SEED004_ERROR))).not.toContain('fetch failed');
  });

  it('an error object inside a 200 stream quotes the provider too', () => {
    const err = errorFromStreamObject({ error: { message: 'This model maximum context length is 8192 tokens.', code: 'context_length_exceeded' } });
    expect(errorLine('en', err)).toBe(
      `The model's answer was cut off by a provider error. Provider says: "This model maximum context length is 8192 tokens."`,
    );
  });

  it('a long reason is cut to about 200 characters, on one line', () => {
    const long = 'Your request was rejected because '.padEnd(1500, 'and so on ') + '\nsecond line';
    const line = errorLine('en', http(400, official(long)));
    const detail = /"(.*)"$/.exec(line)![1]!;
    expect([...detail].length).toBeLessThanOrEqual(DETAIL_MAX_CODE_POINTS);
    expect(detail.endsWith('…')).toBe(true);
    expect(detail).not.toContain('\n');
    expect(line.match(/Provider says/g)).toHaveLength(1);
  });

  it('secrets are redacted: our key, other keys, bearer tokens, key= query params', () => {
    const ours = 'sk-ours-registered-0123456789';
    registerSecret(ours);
    const msg = `Key ${ours} invalid; also tried sk-proj-AbCdEf0123456789 with Bearer abc.def.ghi at https://x.test/v1?key=s3cr3tvalue&x=1`;
    const line = errorLine('en', http(403, official(msg)));
    for (const secret of [ours, 'sk-proj-AbCdEf0123456789', 'abc.def.ghi', 's3cr3tvalue']) expect(line).not.toContain(secret);
    expect(line).toContain('[redacted]');
  });
});

describe('a refusal from the fake upstream, as the user reads it', () => {
  let upstream: FakeUpstream;
  let core: Core | undefined;
  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });
  afterEach(async () => {
    await core?.close();
    core = undefined;
    upstream.reset();
  });
  afterAll(() => upstream.close());

  const reason = `Invalid 'messages': model gpt-4o-mini does not accept this input (key ${API_KEY}).`;

  it.each([
    ['en', `⚠️ The provider could not accept this request. Provider says: "Invalid 'messages': model gpt-4o-mini does not accept this input (key [redacted])."`],
    ['zh', `⚠️ 服务商无法接受这个请求。服务商说明：“Invalid 'messages': model gpt-4o-mini does not accept this input (key [redacted]).”`],
  ])('%s: one line, the provider reason once, the key redacted', async (locale, expected) => {
    core = (await makeCore(upstream, { LOCALE: locale })).core;
    upstream.setNext({ route: 'chat/completions', status: 400, message: reason });
    const s = new RecordingSurface();
    await core.manager.handle(incoming('hello'), s);
    expect(s.finalTexts).toEqual([expected]);
  });

  it('seed 004 envelope: a refused request in zh quotes only the relay reason', async () => {
    core = (await makeCore(upstream, { LOCALE: 'zh' })).core;
    upstream.setNext({ route: 'chat/completions', status: 400, envelope: 'seed004', message: 'api_not_implemented for this model' });
    const s = new RecordingSurface();
    await core.manager.handle(incoming('你好'), s);
    expect(s.finalTexts).toHaveLength(1);
    expect(englishDebris(s.finalTexts[0]!)).toEqual([]);
    expect(s.finalTexts[0]).toContain('“api_not_implemented for this model”');
  });
});
