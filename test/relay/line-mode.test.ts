import { describe, expect, it } from 'vitest';
import { StreamRelay, displayWidth, markdownToPlain, toSurfaceLines } from '../../src/relay/index.js';
import type { LineModeLimits } from '../../src/types.js';
import { FakeClock } from './fake-clock.js';
import { FakeSurface } from './fake-surface.js';
import { piecesOf, timedDeltas } from './helpers.js';

function setup(lineMode: Partial<LineModeLimits> = {}, failSend?: (text: string, attempt: number) => boolean) {
  const clock = new FakeClock();
  const surface = new FakeSurface({
    clock,
    platform: 'mud',
    limits: { canEdit: false, maxChars: 400, lineMode: { width: 40, pacingMs: 700, ...lineMode } },
    failSend,
  });
  return { clock, surface, relay: new StreamRelay({ clock }) };
}

const words = (text: string) => text.split(/\s+/).filter(Boolean);

describe('StreamRelay.pipe, line mode', () => {
  it('flattens markdown, wraps to the width and paces the lines (first at once)', async () => {
    const { clock, surface, relay } = setup();
    const answer = '# Title\n\nSome **bold** text and a [link](https://x.io) in a sentence that is long enough to wrap.\n\n- one\n- two\n';
    const result = await relay.pipe(timedDeltas(clock, piecesOf(answer, 6), 5), surface);
    surface.assertClean();
    const lines = surface.lines.map((l) => l.text);
    expect(lines[0]).toBe('Title');
    expect(lines).toContain('- one');
    expect(lines.join(' ')).not.toMatch(/[*#[\]]/);
    expect(words(lines.join(' '))).toEqual(words(markdownToPlain(answer)));
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(40);
    const gaps = surface.lines.slice(1).map((l, i) => l.at - surface.lines[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(700);
    expect(surface.lines[0]!.at).toBeLessThan(700); // the first line does not wait for pacing
    expect(result).toMatchObject({ sentMessages: lines.length, edits: 0, pendingLines: [] });
  });

  it('emits each line as it completes, before the stream ends', async () => {
    const { clock, surface, relay } = setup({ pacingMs: 10 });
    const parts = ['first line\n', 'second ', 'line\n', 'third'];
    await relay.pipe(timedDeltas(clock, parts, 1000), surface);
    surface.assertClean();
    expect(surface.lines.map((l) => [l.text, l.at])).toEqual([
      ['first line', 1000],
      ['second line', 3000],
      ['third', 4000],
    ]);
  });

  it('a long paragraph streams wrapped line by line before its newline, same lines as the whole text', async () => {
    const { clock, surface, relay } = setup({ width: 20, pacingMs: 10 });
    const answer = 'This **long** paragraph has a [link](https://a.io) and many words that keep coming for a while.';
    const pieces = answer.split(/(?<= )/);
    await relay.pipe(timedDeltas(clock, pieces, 100), surface);
    surface.assertClean();
    const endAt = pieces.length * 100;
    expect(surface.lines[0]!.at).toBeLessThan(endAt / 2);
    expect(surface.lines.map((l) => l.text)).toEqual(toSurfaceLines(answer, surface));
    expect(surface.lines[0]!.text).toBe('This long paragraph');
  });

  it('CJK lines wrap at 2 columns per character, anywhere between characters', async () => {
    const { clock, surface, relay } = setup({ width: 20 });
    const answer = '这是一段很长的中文回答，需要按照显示宽度来折行，每个汉字占两列。';
    await relay.pipe(timedDeltas(clock, [answer], 5), surface);
    surface.assertClean();
    for (const l of surface.lines) expect(displayWidth(l.text)).toBeLessThanOrEqual(20);
    expect(surface.lines[0]!.text).toBe('这是一段很长的中文回');
    expect(surface.lines.map((l) => l.text).join('')).toBe(answer);
  });

  it('respects fits() (a byte budget with the reply template)', async () => {
    const fits = (line: string) => Buffer.byteLength(`say ${line}`) <= 30;
    const { clock, surface, relay } = setup({ width: 76, fits });
    const answer = 'ümlaut wörds répétées ' .repeat(6) + '中文也要按字节数折行的句子';
    await relay.pipe(timedDeltas(clock, [answer], 5), surface);
    surface.assertClean();
    for (const l of surface.lines) expect(fits(l.text)).toBe(true);
    expect(surface.lines.map((l) => l.text).join(' ').replace(/\s/g, '')).toBe(answer.replace(/\s/g, ''));
  });

  it('caps at maxLines, keeps reading, and deliverLines continues with the same pacing', async () => {
    const { clock, surface, relay } = setup({ maxLines: 3, pacingMs: 500 });
    const answer = Array.from({ length: 8 }, (_, i) => `line number ${i}`).join('\n');
    const first = await relay.pipe(timedDeltas(clock, piecesOf(answer, 4), 5), surface);
    surface.assertClean();
    expect(surface.lines.map((l) => l.text)).toEqual(['line number 0', 'line number 1', 'line number 2']);
    expect(first.text).toBe(answer); // history gets everything
    expect(first.pendingLines).toEqual(['line number 3', 'line number 4', 'line number 5', 'line number 6', 'line number 7']);

    const second = await relay.deliverLines(first.pendingLines!, surface);
    surface.assertClean(); // pacing holds across the two calls (same Surface)
    expect(surface.lines.map((l) => l.text).slice(3)).toEqual(['line number 3', 'line number 4', 'line number 5']);
    expect(second.pendingLines).toEqual(['line number 6', 'line number 7']);
    expect(second.sentMessages).toBe(3);

    const third = await relay.deliverLines(second.pendingLines!, surface);
    expect(third.pendingLines).toEqual([]);
    expect(surface.lines).toHaveLength(8);
    surface.assertClean();
  });

  it('a stop ends the lines at once and says so', async () => {
    const { clock, surface, relay } = setup({ pacingMs: 700 });
    const controller = new AbortController();
    const answer = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n') + '\n';
    void clock.sleep(1500).then(() => controller.abort());
    const result = await relay.pipe(timedDeltas(clock, [answer], 5), surface, { signal: controller.signal, stoppedNotice: '(stopped)' });
    surface.assertClean();
    expect(result.aborted).toBe(true);
    const lines = surface.lines.map((l) => l.text);
    expect(lines).toEqual(['line 0', 'line 1', 'line 2', '(stopped)']);
    expect(result.pendingLines).toEqual([]);
  });

  it('an error mid-stream sends the partial lines and the notice line', async () => {
    const { clock, surface, relay } = setup({ pacingMs: 100 });
    async function* failing() {
      yield* timedDeltas(clock, ['one\ntw', 'o'], 5);
      throw new Error('eof');
    }
    const result = await relay.pipe(failing(), surface, { errorNotice: () => '(cut off)' });
    surface.assertClean();
    expect(surface.lines.map((l) => l.text)).toEqual(['one', 'two', '(cut off)']);
    expect(result.text).toBe('one\ntwo');
  });

  it('no line carries a newline, CR, tab or control character', async () => {
    const { clock, surface, relay } = setup();
    const answer = 'a\r\nb\tc\x1b[31mred\x1b[0m\u2028d\x07\n```\ncode\there\n```';
    await relay.pipe(timedDeltas(clock, [answer], 5), surface);
    surface.assertClean(); // the fake flags control characters
    expect(surface.lines.map((l) => l.text)).toEqual(['a', 'b    credd', 'code    here']);
  });

  it('a failed line is retried once in the next slot', async () => {
    const { clock, surface, relay } = setup({ pacingMs: 100 }, (_t, attempt) => attempt === 2);
    await relay.pipe(timedDeltas(clock, ['a\nb\nc'], 5), surface);
    expect(surface.violations).toEqual([]);
    expect(surface.lines.map((l) => l.text)).toEqual(['a', 'b', 'c']);
  });

  it('deliver() of a complete markdown text uses the same rules', async () => {
    const { surface, relay } = setup({ maxLines: 2 });
    const result = await relay.deliver('**Help**\n\n- `reset`: forget\n- `more`: next page\n- `stop`: stop', surface);
    surface.assertClean();
    expect(surface.lines.map((l) => l.text)).toEqual(['Help', '- reset: forget']);
    expect(result.pendingLines).toEqual(['- more: next page', '- stop: stop']);
  });
});
