import { describe, expect, it } from 'vitest';
import { helpText } from '../../src/conversation/commands/index.js';
import type { Surface, SurfaceLimits } from '../../src/types.js';

const surface = (limits: Partial<SurfaceLimits>, commandPrefix = '/'): Surface =>
  ({ platform: 'console', channel: 'c', commandPrefix, limits: { maxChars: 4000, canEdit: true, minEditIntervalMs: 0, ...limits } }) as Surface;

const LINE_MODE = { lineMode: { width: 76, pacingMs: 0 }, canEdit: false, audio: false };

describe('helpText', () => {
  it('lists every command, tts and voice included, where sound plays', () => {
    const text = helpText('en', surface({ audio: true }));
    expect(text.split('\n')).toHaveLength(14);
    expect(text).toContain('/chat <text>: ask me something');
    expect(text).toContain('/persona [name]: show or choose a persona');
    expect(text).toContain('/tts <text>: speak text aloud');
    expect(text).toContain('/voice on|off');
  });

  // Issue 8.8: help listed tts/voice where no sound can be played.
  it('leaves out tts and voice where sound cannot be played', () => {
    for (const locale of ['en', 'zh'] as const) {
      const text = helpText(locale, surface({ audio: false }));
      expect(text).not.toMatch(/\/tts|\/voice/);
      expect(text).toContain('/reset');
      expect(text.split('\n')).toHaveLength(12);
    }
  });

  // Issue 8.8: help in a MUD was 11 game lines, tts and voice included.
  it('a line-mode surface gets at most three lines of working commands', () => {
    const text = helpText('en', surface(LINE_MODE, ''));
    expect(text).toBe(
      'I am an AI assistant: say anything and I answer, or start with a command word.\n' +
        'Commands: reset, image, model, system, persona, tools, stop, retry, more, usage, help',
    );
    const zh = helpText('zh', surface(LINE_MODE, ''));
    expect(zh.split('\n')).toHaveLength(2);
    expect(zh).toContain('命令：reset, image, model');
  });
});
