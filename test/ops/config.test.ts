// The ops settings: off by default; a token is required once the server leaves loopback.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

describe('ops settings', () => {
  it('leave the ops server off unless OPS_PORT is set', () => {
    expect(loadConfig({}).ops).toBeUndefined();
    expect(loadConfig({ OPS_PORT: '9464' }).ops).toEqual({ port: 9464, host: '127.0.0.1', token: undefined, showContent: false });
  });

  it('refuse a non-loopback host without OPS_TOKEN, naming the key', () => {
    expect(() => loadConfig({ OPS_PORT: '9464', OPS_HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => loadConfig({ OPS_PORT: '9464', OPS_HOST: '0.0.0.0' })).toThrow(/OPS_TOKEN: required/);
    expect(loadConfig({ OPS_PORT: '9464', OPS_HOST: '0.0.0.0', OPS_TOKEN: 't', OPS_SHOW_CONTENT: 'on' }).ops).toMatchObject({ token: 't', showContent: true });
    expect(loadConfig({ OPS_PORT: '9464', OPS_HOST: '::1' }).ops?.host).toBe('::1');
  });
});
