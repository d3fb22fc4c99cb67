// Builds the client from the validated Config, so wiring code does not repeat the mapping.
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { OpenAIClient } from './client.js';

export function clientFromConfig(llm: Config['llm'], logger?: Logger): OpenAIClient {
  return new OpenAIClient({
    baseUrl: llm.baseUrl,
    apiKey: llm.apiKey,
    authHeader: llm.authHeader,
    orgId: llm.orgId,
    connectTimeoutMs: llm.connectTimeoutMs,
    firstByteTimeoutMs: llm.firstByteTimeoutMs,
    idleTimeoutMs: llm.idleTimeoutMs,
    maxRetries: llm.maxRetries,
    logger,
    defaults: {
      imageModel: llm.imageModel,
      imageSize: llm.imageSize,
      ttsModel: llm.ttsModel,
      ttsVoice: llm.ttsVoice,
      transcribeModel: llm.transcribeModel,
    },
  });
}
