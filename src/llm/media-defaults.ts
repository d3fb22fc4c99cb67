// Which model, size and voice a media call uses when neither the request nor the config says.
export const MEDIA_DEFAULTS = {
  imageModel: 'dall-e-3',
  imageSize: '1024x1024',
  ttsModel: 'tts-1',
  ttsVoice: 'alloy',
  transcribeModel: 'whisper-1',
} as const;

export interface MediaDefaults {
  imageModel?: string;
  imageSize?: string;
  /** Ask for 'url' or 'b64_json'; unset: let the provider choose. */
  imageResponseFormat?: 'url' | 'b64_json';
  ttsModel?: string;
  ttsVoice?: string;
  transcribeModel?: string;
}
