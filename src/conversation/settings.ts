// What the conversation core reads from the configuration, and nothing else: the manager and
// its command handlers take this, not the whole Config (which also holds platform tokens).
import type { Config } from '../config/index.js';

type Llm = Config['llm'];
type Conversation = Config['conversation'];

export interface ManagerSettings {
  locale: Conversation['locale'];
  /** Admin ids (`platform:id` or a bare id). */
  admins: readonly string[];
  limits: { rateLimitPerMinute: number; dailyTokenBudget: number };
  queue: { maxWaitingPerChannel: number; providerConcurrency: number; shutdownGraceMs: number };
  history: { maxMessages: number; maxTokens: number; textAttachmentMaxBytes: number };
  /** Defaults a channel's own choices (model, system prompt, persona) override. */
  chat: Pick<Llm, 'chatModel' | 'temperature' | 'maxTokens' | 'vision'> & { systemPrompt: string; reasoning: Conversation['reasoning'] };
  media: Pick<Llm, 'imageModel' | 'imageSize' | 'ttsModel' | 'ttsVoice' | 'transcribeModel'>;
  caps: Config['reply'];
  /** Tool rounds per reply, when tools are configured. */
  toolMaxSteps: number;
}

export function managerSettings(config: Config): ManagerSettings {
  const { llm, conversation: c } = config;
  return {
    locale: c.locale,
    admins: c.admins,
    limits: { rateLimitPerMinute: c.rateLimitPerMinute, dailyTokenBudget: c.dailyTokenBudget },
    queue: { maxWaitingPerChannel: c.queueMaxPerChannel, providerConcurrency: c.providerConcurrency, shutdownGraceMs: c.shutdownGraceMs },
    history: { maxMessages: c.historyMaxMessages, maxTokens: c.historyMaxTokens, textAttachmentMaxBytes: c.textAttachmentMaxBytes },
    chat: { chatModel: llm.chatModel, temperature: llm.temperature, maxTokens: llm.maxTokens, vision: llm.vision, systemPrompt: c.systemPrompt, reasoning: c.reasoning },
    media: { imageModel: llm.imageModel, imageSize: llm.imageSize, ttsModel: llm.ttsModel, ttsVoice: llm.ttsVoice, transcribeModel: llm.transcribeModel },
    caps: config.reply,
    toolMaxSteps: config.tools?.maxSteps ?? 5,
  };
}
