import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../adapters/mud/profile.js';
import { MudSurface } from '../../adapters/mud/surface.js';
import type { Locale } from '../../src/conversation/messages.js';
import { createLogger } from '../../src/log.js';

function setup(overrides: Record<string, unknown> = {}, locale: Locale = 'en') {
  const profile = parseProfile(
    {
      host: '127.0.0.1',
      port: 1,
      name: 'Parley',
      ready: '>',
      maxCommandBytes: 40,
      wrap: 30,
      triggers: [{ match: '(?<speaker>\\w+): (?<message>.+)', scope: 'tell:{speaker}', reply: 'tell {speaker} {line}' }],
      ...overrides,
    },
    't.yaml',
  );
  const written: string[] = [];
  const surface = new MudSurface({
    channel: 'mud:t:tell:alice',
    profile,
    replyTemplate: 'tell {speaker} {line}',
    speaker: 'alice',
    locale,
    write: async (c) => {
      written.push(c);
    },
    logger: createLogger('silent'),
  });
  return { profile, surface, written };
}

describe('MudSurface', () => {
  it('declares line mode: no edits, no audio, width/pacing/maxLines from the profile', () => {
    const { surface } = setup({ pacingMs: 500, maxLines: 7 });
    expect(surface.limits).toMatchObject({ canEdit: false, audio: false, lineMode: { width: 30, pacingMs: 500, maxLines: 7 } });
    expect(surface.commandPrefix).toBe('');
  });

  it('fits() counts the template and the encoded bytes', () => {
    const { surface } = setup({ encoding: 'gbk' });
    // "tell alice " is 11 bytes; 14 Chinese characters are 28 GBK bytes: 39 <= 40.
    expect(surface.limits.lineMode!.fits!('一二三四五六七八九十一二三四')).toBe(true);
    expect(surface.limits.lineMode!.fits!('一二三四五六七八九十一二三四五')).toBe(false);
  });

  it('sends each line as one templated command within the byte limit', async () => {
    const { surface, written } = setup();
    await surface.send('first line\nsecond line that is much longer than the wrap width allows for sure');
    expect(written[0]).toBe('tell alice first line');
    for (const c of written) expect(Buffer.byteLength(c)).toBeLessThanOrEqual(40);
    expect(written.map((c) => c.slice('tell alice '.length)).join(' ')).toBe('first line second line that is much longer than the wrap width allows for sure');
  });

  it('model text with newline, separators, IAC and ANSI goes out inert, one line each', async () => {
    const { surface, written } = setup({ maxCommandBytes: 200, wrap: 150 });
    await surface.send('ok\rquit;drop all \x1b[31mred\x1b[0m ÿ\x00\x1b]0;x\x07end');
    expect(written).toHaveLength(2); // the CR splits lines, each still a tell
    for (const c of written) {
      expect(c.startsWith('tell alice ')).toBe(true);
      expect(c).not.toMatch(/[\r\n\x00\x1b;]/);
    }
    expect(written[1]).toBe('tell alice quit drop all red ÿ end');
  });

  it('in latin1 a reply never carries byte 0xFF', async () => {
    const { surface, written } = setup({ encoding: 'latin1', maxCommandBytes: 200, wrap: 150 });
    await surface.send('say ÿÿ');
    expect([...iconv.encode(written[0]!, 'latin1')]).not.toContain(0xff);
  });

  it('images become a URL line; audio a notice', async () => {
    const { surface, written } = setup({ maxCommandBytes: 300, wrap: 200 });
    await surface.sendImage({ url: 'https://img.example/cat.png', mime: 'image/png' }, 'a cat');
    await surface.sendImage({ bytes: new Uint8Array([1]), mime: 'image/png' });
    await surface.sendAudio(new Uint8Array([1]), 'mp3');
    expect(written).toEqual([
      'tell alice Image: https://img.example/cat.png',
      'tell alice a cat',
      'tell alice The image was made, but it cannot be shown here.',
      'tell alice Sound is not available here.',
    ]);
  });

  // Issue 8.8: the MUD's own notices were English whatever LOCALE said.
  it('its own notices follow LOCALE', async () => {
    const { surface, written } = setup({ maxCommandBytes: 300, wrap: 200 }, 'zh');
    await surface.sendImage({ url: 'https://img.example/cat.png', mime: 'image/png' });
    await surface.sendImage({ bytes: new Uint8Array([1]), mime: 'image/png' });
    await surface.sendAudio(new Uint8Array([1]), 'mp3');
    expect(written).toEqual(['tell alice 图片：https://img.example/cat.png', 'tell alice 图片已生成，但这里无法显示。', 'tell alice 这里无法播放声音。']);
  });

  it('an empty or all-control line sends nothing', async () => {
    const { surface, written } = setup();
    await surface.send('\n\x1b[0m\n  \n');
    expect(written).toEqual([]);
  });
});
