import { errors as undiciErrors } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  errorFromException,
  errorFromResponse,
  kindForStatus,
  LlmError,
  parseErrorBody,
  SAFE_MESSAGES,
  shortText,
} from '../../src/llm/errors.js';
import { registerSecret } from '../../src/log.js';
import { NGINX_502, SEED004_ERROR, STATUS_KINDS } from './fixtures.js';

describe('kindForStatus', () => {
  it.each(STATUS_KINDS)('%i -> %s', (status, kind) => {
    expect(kindForStatus(status)).toBe(kind);
  });
});

describe('parseErrorBody', () => {
  it('reads the official envelope', () => {
    expect(parseErrorBody('{"error":{"message":"Bad key","type":"invalid_request_error","code":"invalid_api_key"}}')).toEqual({
      message: 'Bad key',
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    });
  });

  it("reads seed 004's envelope with its trace_id", () => {
    expect(parseErrorBody(SEED004_ERROR)).toEqual({ message: 'fetch failed', code: 'api_error', traceId: '2cf86e86-22a4-46e1-ac2f-032c0f2a4e89' });
  });

  it('turns an HTML proxy page into one short line without tags', () => {
    const { message } = parseErrorBody(NGINX_502);
    expect(message).toBe('502 Bad Gateway 502 Bad Gateway nginx');
  });

  it('truncates long plain text and never throws on junk', () => {
    const { message } = parseErrorBody('x'.repeat(5000));
    expect(message!.length).toBeLessThanOrEqual(301);
    expect(parseErrorBody('')).toEqual({});
    expect(parseErrorBody('null')).toEqual({ message: 'null' });
    expect(parseErrorBody('[1,2]')).toEqual({});
  });

  it('shortText drops script bodies', () => {
    expect(shortText('<script>var secret=1</script><p>Oops</p>')).toBe('Oops');
  });
});

describe('errorFromResponse', () => {
  it('takes the request id from x-request-id, else trace_id, else ours', () => {
    expect(errorFromResponse({ status: 500, bodyText: '{}', headers: { 'x-request-id': 'up-1' }, requestId: 'ours' }).requestId).toBe('up-1');
    expect(errorFromResponse({ status: 500, bodyText: SEED004_ERROR, headers: {}, requestId: 'ours' }).requestId).toBe('2cf86e86-22a4-46e1-ac2f-032c0f2a4e89');
    expect(errorFromResponse({ status: 500, bodyText: 'oops', headers: {}, requestId: 'ours' }).requestId).toBe('ours');
  });

  it('a 400 from the content filter gets its own kind', () => {
    const err = errorFromResponse({ status: 400, bodyText: '{"error":{"message":"filtered","code":"content_filter"}}', headers: {} });
    expect(err.kind).toBe('content_filter');
    expect(err.retryable).toBe(false);
  });

  it('insufficient_quota 429 is not retryable; a plain 429 is', () => {
    expect(errorFromResponse({ status: 429, bodyText: '{"error":{"code":"insufficient_quota"}}', headers: {} }).retryable).toBe(false);
    expect(errorFromResponse({ status: 429, bodyText: '', headers: {} }).retryable).toBe(true);
  });

  it('never carries a registered API key, even when the provider echoes it', () => {
    const key = 'sk-echoed-secret-key-123';
    registerSecret(key);
    const err = errorFromResponse({ status: 401, bodyText: `{"error":{"message":"Incorrect API key provided: ${key}","code":"${key}"}}`, headers: {} });
    expect(err.message).not.toContain(key);
    expect(err.code).not.toContain(key);
    expect(err.safeMessage).toBe(SAFE_MESSAGES.auth);
  });
});

describe('errorFromException', () => {
  it('maps undici timeouts to timeout kinds; only connect timeouts are retryable', () => {
    const connect = errorFromException(new undiciErrors.ConnectTimeoutError(), { aborted: false });
    expect([connect.kind, connect.code, connect.retryable]).toEqual(['timeout', 'connect_timeout', true]);
    const headers = errorFromException(new undiciErrors.HeadersTimeoutError(), { aborted: false });
    expect([headers.kind, headers.code, headers.retryable]).toEqual(['timeout', 'first_byte_timeout', false]);
    const body = errorFromException(new undiciErrors.BodyTimeoutError(), { aborted: false });
    expect([body.kind, body.code, body.retryable]).toEqual(['timeout', 'idle_timeout', false]);
  });

  it('network failures are retryable network errors', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(errorFromException(refused, { aborted: false })).toMatchObject({ kind: 'network', retryable: true });
    const socket = errorFromException(new undiciErrors.SocketError('other side closed'), { aborted: false });
    expect(socket).toMatchObject({ kind: 'network', retryable: true });
  });

  it('anything thrown after the caller aborted is an aborted error', () => {
    const err = errorFromException(new undiciErrors.SocketError('other side closed'), { aborted: true, requestId: 'r1' });
    expect(err).toMatchObject({ kind: 'aborted', retryable: false, requestId: 'r1' });
  });

  it('passes LlmErrors through untouched', () => {
    const original = new LlmError({ kind: 'auth', status: 401 });
    expect(errorFromException(original, { aborted: true })).toBe(original);
  });
});
