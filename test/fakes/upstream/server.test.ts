// The fake upstream's own contract, which other suites rely on: echo reply, flavor shapes,
// faults consumed in order, recording.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoReply, startFakeUpstream, type FakeUpstream } from './server.js';
import { tokenize } from './shapes.js';

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

const dataLines = (sse: string) =>
  sse
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => l.slice(6));

describe('fake upstream helpers', () => {
  it('tokenize splits words and CJK characters and joins back exactly', () => {
    const text = 'Hello  there,\n你好世界 ok ';
    expect(tokenize(text).join('')).toBe(text);
    expect(tokenize('你好')).toEqual(['你', '好']);
  });

  it('echoReply quotes the last user message and counts images', () => {
    expect(echoReply({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }] })).toBe('You said: c');
    expect(echoReply({ messages: [{ role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image_url', image_url: { url: 'x' } }, { type: 'image_url' }] }] })).toBe('You said: see [2 images]');
  });
});

describe('fake upstream over HTTP', () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeUpstream({ flavor: 'seed004', prefix: '/openai', auth: 'authorization', apiKey: 'k-123456' });
  });
  afterAll(() => fake.close());

  it('shapes seed 004 streams: role in every delta, no [DONE] missing', async () => {
    const res = await post(`${fake.url}/chat/completions`, { model: 'gpt-4', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { authorization: 'Bearer k-123456' });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const lines = dataLines(await res.text());
    expect(lines.at(-1)).toBe('[DONE]');
    const chunks = lines.slice(0, -1).map((l) => JSON.parse(l));
    expect(chunks.every((c) => c.choices[0].delta.role === 'assistant' && c.recipient === 'all')).toBe(true);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
  });

  it('rejects a wrong key with 401 in the seed 004 envelope, and records every request', async () => {
    const before = fake.requests.length;
    const res = await post(`${fake.url}/chat/completions`, { messages: [] }, { authorization: 'Bearer nope' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ success: false, error: { code: 'invalid_token' } });
    expect(fake.requests).toHaveLength(before + 1);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: '/openai/chat/completions', route: 'chat/completions' });
  });

  it('consumes scripted faults in order, then behaves normally', async () => {
    fake.script({ status: 429, retryAfter: '3', envelope: 'text' }, { status: 502, envelope: 'html' });
    const auth = { authorization: 'Bearer k-123456' };
    const body = { messages: [{ role: 'user', content: 'x' }] };
    const first = await post(`${fake.url}/chat/completions`, body, auth);
    expect([first.status, first.headers.get('retry-after'), first.headers.get('content-type')]).toEqual([429, '3', 'text/plain']);
    await first.text();
    const second = await post(`${fake.url}/chat/completions`, body, auth);
    expect(second.status).toBe(502);
    expect(await second.text()).toContain('<html>');
    const third = await post(`${fake.url}/chat/completions`, body, auth);
    expect(third.status).toBe(200);
    expect(await third.json()).toMatchObject({ object: 'chat.completion.chunk', choices: [{ message: { content: 'You said: x' } }] });
  });

  it('commentsForever: content, then keep-alive comments until the client leaves', async () => {
    fake.setNext({ route: 'chat/completions', afterChunks: 1, commentsForever: 5 });
    const res = await post(`${fake.url}/chat/completions`, { stream: true, messages: [{ role: 'user', content: 'a b c' }] }, { authorization: 'Bearer k-123456' });
    const reader = res.body!.getReader();
    let text = '';
    while ((text.match(/: keep-alive/g) ?? []).length < 3) text += new TextDecoder().decode((await reader.read()).value);
    expect(dataLines(text).filter((l) => l.includes('"content"'))).toHaveLength(1);
    expect(text).not.toContain('[DONE]');
    await reader.cancel();
    expect(await fake.requests.at(-1)!.closed).toBe(true);
  });
});
