import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

describe('settings for reply chains and text attachments', () => {
  it('defaults: channel context, 100 KB text files', () => {
    const c = loadConfig({ DISCORD_TOKEN: 'x' });
    expect(c.discord?.context).toBe('channel');
    expect(c.conversation.textAttachmentMaxBytes).toBe(102_400);
  });

  it('reads chain mode and a smaller file limit; refuses what they cannot be', () => {
    const c = loadConfig({ DISCORD_TOKEN: 'x', DISCORD_CONTEXT: 'chain', TEXT_ATTACHMENT_MAX_BYTES: '2048' });
    expect(c.discord?.context).toBe('chain');
    expect(c.conversation.textAttachmentMaxBytes).toBe(2048);
    expect(() => loadConfig({ DISCORD_CONTEXT: 'thread' })).toThrow(ConfigError);
    expect(() => loadConfig({ TEXT_ATTACHMENT_MAX_BYTES: '0' })).toThrow(/TEXT_ATTACHMENT_MAX_BYTES/);
  });
});
