// ReasoningDisplay: what each surface shows while a model thinks, for REASONING=hide|status|show.
import { describe, expect, it, vi } from 'vitest';
import { markdownToTelegramHtml } from '../../src/format/telegram-html.js';
import { formatExcerpt, REASONING_EXCERPT_CHARS, ReasoningDisplay, type ReasoningMode } from '../../src/relay/reasoning.js';
import type { Platform, SurfaceLimits } from '../../src/types.js';
import { parseTelegramHtml } from '../fakes/telegram/html-entities.js';
import { FakeClock } from './fake-clock.js';
import { FakeSurface } from './fake-surface.js';

const LINES = { thinking: '💭 Thinking…', thinkingLine: '(thinking…)', label: 'Reasoning (excerpt)', noAnswer: '(no answer)' };

function setup(mode: ReasoningMode, opts: { limits?: Partial<SurfaceLimits>; platform?: Platform } = {}) {
  const surface = new FakeSurface({ clock: new FakeClock(), limits: { minEditIntervalMs: 0, ...opts.limits }, platform: opts.platform });
  const deliverLine = vi.fn(async (text: string) => surface.send(text));
  const display = new ReasoningDisplay(surface, { mode, lines: LINES, deliverLine });
  return { surface, display, deliverLine };
}

describe('ReasoningDisplay', () => {
  it('status: one "thinking…" message, which the answer then replaces', async () => {
    const { surface, display } = setup('status');
    for (const d of ['Let me ', 'think ', 'about it.']) display.onReasoning(d);
    await vi.waitFor(() => expect(surface.messages).toHaveLength(1));
    expect(surface.messages[0]!.text).toBe(LINES.thinking);

    const ref = await display.surface.send('The answer');
    await display.surface.edit(ref, 'The answer is 42.', { final: true });
    await display.end();
    expect(surface.finalTexts).toEqual(['The answer is 42.']);
    expect(surface.messages[0]!.writes.map((w) => w.text)).toEqual([LINES.thinking, 'The answer', 'The answer is 42.']);
    expect(surface.violations).toEqual([]);
  });

  it('status: a model that thinks and answers nothing does not leave "thinking…" behind', async () => {
    const { surface, display } = setup('status');
    display.onReasoning('hmm');
    await display.end();
    expect(surface.finalTexts).toEqual([LINES.noAnswer]);
    expect(surface.unfinishedMessages).toEqual([]);
  });

  it('show on Discord: the status becomes a subtext title over a spoiler; the answer goes below', async () => {
    const { surface, display } = setup('show', { platform: 'discord' });
    display.onReasoning('Check a|b and `code`. ');
    display.onReasoning('x'.repeat(REASONING_EXCERPT_CHARS));
    const ref = await display.surface.send('Answer', { final: true });
    await display.end();
    expect(ref).toBe(2);
    const [excerpt, answer] = surface.finalTexts;
    expect(answer).toBe('Answer');
    expect(excerpt!.startsWith(`-# 💭 ${LINES.label}\n||Check a¦b and 'code'. x`)).toBe(true);
    expect(excerpt!.endsWith('…||')).toBe(true);
    expect([...excerpt!.split('\n')[1]!].length).toBe(2 + REASONING_EXCERPT_CHARS + 1 + 2);
  });

  it('hide: nothing is shown and the surface is passed through', async () => {
    const { surface, display, deliverLine } = setup('hide');
    display.onReasoning('secret thoughts');
    await display.end();
    expect(display.surface).toBe(surface);
    expect(surface.messages).toEqual([]);
    expect(deliverLine).not.toHaveBeenCalled();
  });

  it.each<ReasoningMode>(['status', 'show'])('line mode (%s): one short line at most, through the paced line path', async (mode) => {
    const { surface, display, deliverLine } = setup(mode, { limits: { canEdit: false, lineMode: { width: 80, pacingMs: 0 } }, platform: 'mud' });
    for (let i = 0; i < 20; i++) display.onReasoning(`step ${i} `);
    await display.end();
    expect(display.surface).toBe(surface);
    expect(deliverLine.mock.calls).toEqual([[LINES.thinkingLine]]);
    expect(surface.lines.map((l) => l.text)).toEqual([LINES.thinkingLine]);
  });

  it('reasoning that arrives after the answer began brings no status back', async () => {
    const { surface, display } = setup('status');
    await display.surface.send('Answer first', { final: true });
    display.onReasoning('late thought');
    await display.end();
    expect(surface.finalTexts).toEqual(['Answer first']);
  });
});

describe('the Telegram excerpt', () => {
  it('renders as one expandable blockquote that the Bot API parses', () => {
    const html = markdownToTelegramHtml(formatExcerpt('telegram', LINES.label, 'a < b, so\n\n   pick **a**'));
    expect(html).toBe(`<blockquote expandable>💭 ${LINES.label}\na &lt; b, so pick <b>a</b></blockquote>`);
    const parsed = parseTelegramHtml(html);
    expect(parsed.ok && parsed.entities.map((e) => e.type).sort()).toEqual(['bold', 'expandable_blockquote']);
  });

  it('an ordinary quote stays an ordinary blockquote', () => {
    expect(markdownToTelegramHtml('> quoted\n> twice')).toBe('<blockquote>quoted\ntwice</blockquote>');
  });
});
