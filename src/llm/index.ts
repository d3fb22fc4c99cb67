// The provider client and everything callers need to use it and handle its errors.
export * from './types.js';
export { OpenAIClient, MEDIA_DEFAULTS, type OpenAIClientOptions } from './client.js';
export { LlmError, isLlmError, SAFE_MESSAGES, type LlmErrorKind } from './errors.js';
export { endpointUrl } from './transport.js';
export { clientFromConfig } from './from-config.js';
