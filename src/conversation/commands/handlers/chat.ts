// A message to the model: attached files read in, a voice note transcribed, images checked
// against the vision setting, then the question stored and answered.
import type { ChatMessage } from '../../../llm/types.js';
import type { StoredTurn } from '../../../store/types.js';
import type { ImageInput, Surface, TextFile } from '../../../types.js';
import { withTextFiles } from '../../attachments.js';
import { estimateTokens, sanitizeName, userContent } from '../../history.js';
import { withTyping } from '../../media.js';
import { reply } from '../../reply.js';
import type { CommandContext, CommandServices, Handler } from '../context.js';

export const chat: Handler<'chat'> = async (ctx, services) => {
  const { msg, surface } = ctx;
  const { speaker, settings } = services;
  const withFiles = withTextFiles(ctx.cmd.text, msg.files);
  await sayUnreadFiles(surface, services, withFiles.skipped);
  if (withFiles.skipped.length > 0 && !withFiles.text && !msg.audio && !msg.images?.length) return;
  const userText = msg.audio ? await withTranscript(ctx, services, withFiles.text) : withFiles.text;
  if (userText === undefined) return;

  const images = msg.images ?? [];
  const imageUrls = settings.chat.vision ? images.map(imageToUrl).filter((u): u is string => !!u) : [];
  if (images.length > 0 && !settings.chat.vision && !userText) return speaker.say(surface, 'vision_off');
  if (!userText && imageUrls.length === 0) return speaker.say(surface, 'empty_message');

  const maxInputTokens = Math.floor(settings.history.maxTokens * 0.9);
  if (estimateTokens(userText) > maxInputTokens) {
    // Roughly what fits, in the same units the user sees.
    const maxChars = Math.floor((userText.length * maxInputTokens) / estimateTokens(userText));
    return speaker.say(surface, 'input_too_long', { chars: userText.length, max: maxChars });
  }

  const name = msg.isGroup ? sanitizeName(msg.user.name) : undefined;
  const next: ChatMessage = { role: 'user', content: userContent(userText, imageUrls), ...(name ? { name } : {}) };
  // A reply chain (Discord, DISCORD_CONTEXT=chain) brings its own context.
  const history = msg.context ?? (await services.store.load(msg.channel));
  // The question is stored before the answer starts, so a crash loses at most the answer,
  // and `retry` can regenerate a failed one.
  const stored: StoredTurn = {
    role: 'user',
    content: imageUrls.length > 0 ? `${userText} [image]`.trim() : userText,
    at: Date.now(),
    ...(name ? { name } : {}),
  };
  await services.store.append(msg.channel, [stored], settings.history.maxMessages);
  await reply(ctx, services, history, next);
};

/** The text with the voice note's transcript added; undefined when nothing was heard (said). */
async function withTranscript(ctx: CommandContext<'chat'>, services: CommandServices, text: string): Promise<string | undefined> {
  const { surface, signal, requestId } = ctx;
  const audio = ctx.msg.audio!;
  const model = services.settings.media.transcribeModel;
  const transcript = await withTyping(surface, 'typing', () =>
    services.llm.transcribe({ bytes: audio.bytes, filename: audio.filename, mime: audio.mime, model, signal, requestId }),
  );
  const heard = transcript.text.trim();
  if (!heard) {
    await services.speaker.say(surface, 'empty_transcript');
    return undefined;
  }
  await services.speaker.say(surface, 'transcribed', { text: heard });
  return text ? `${text}\n${heard}` : heard;
}

/** Files not read (too large, not text) are named in one short note each kind, not dropped silently. */
async function sayUnreadFiles(surface: Surface, services: CommandServices, skipped: TextFile[]): Promise<void> {
  const names = (reason: TextFile['skipped']) => skipped.filter((f) => f.skipped === reason).map((f) => f.name).join(', ');
  const kb = Math.floor(services.settings.history.textAttachmentMaxBytes / 1024);
  if (names('too_large')) await services.speaker.say(surface, 'file_too_large', { kb, names: names('too_large') });
  if (names('binary')) await services.speaker.say(surface, 'file_not_text', { names: names('binary') });
}

/** Vision input: provider-fetchable URL, or the bytes inlined as a data: URL. */
function imageToUrl(img: ImageInput): string | undefined {
  if (img.bytes && img.bytes.length > 0) {
    return `data:${img.mime ?? 'image/png'};base64,${Buffer.from(img.bytes).toString('base64')}`;
  }
  return img.url;
}
