// `image <prompt>`: one generated image, uploaded with the prompt the provider used.
import { withTyping } from '../../media.js';
import type { Handler } from '../context.js';

export const image: Handler<'image'> = async ({ cmd, surface, signal, requestId }, services) => {
  const { imageModel, imageSize } = services.settings.media;
  const img = await withTyping(surface, 'upload_photo', () =>
    services.llm.generateImage({ prompt: cmd.prompt, model: imageModel, size: imageSize, signal, requestId }),
  );
  await surface.sendImage({ bytes: img.bytes, url: img.url, mime: img.mime }, img.revisedPrompt ?? cmd.prompt);
};
