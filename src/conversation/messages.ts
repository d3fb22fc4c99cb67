// The bot's own lines, looked up by a stable id so they can be translated (STYLE.md point 5).
// Many users of these relays are Chinese: every line exists in English and Simplified Chinese.

export type Locale = 'en' | 'zh';

const en = {
  'busy': 'I am still answering earlier messages here; please wait a moment and try again.',
  'rate_limited': 'You are sending messages too fast. Please wait a minute.',
  'budget_exhausted': 'You have used today\'s token budget ({budget} tokens). It resets at midnight UTC.',
  'not_admin': 'Sorry, only an admin can change that here.',
  'reset_done': 'Conversation cleared. What shall we talk about?',
  'stopped': '(stopped)',
  'thinking': '💭 Thinking…',
  'thinking_line': '(thinking…)',
  'reasoning_label': 'Reasoning (excerpt)',
  'no_answer': '(the model gave no answer)',
  'nothing_to_stop': 'Nothing is running here.',
  'nothing_to_retry': 'There is no earlier answer to regenerate.',
  'no_more': 'There is nothing more to show.',
  'more_hint': '(more: tell me \'more\')',
  'voice_on': 'Voice mode is on: I will also speak my replies.',
  'voice_off': 'Voice mode is off.',
  'voice_unavailable': 'Sound is not available here.',
  'model_current': 'Current model: {model}',
  'model_list': 'Available models: {models}',
  'model_set': 'Model for this channel set to {model}.',
  'model_set_unlisted': 'Model for this channel set to {model} (note: the provider does not list it).',
  'model_reset': 'Model for this channel reset to the default ({model}).',
  'system_current': 'Current system prompt: {prompt}',
  'system_set': 'System prompt for this channel updated; the history was kept.',
  'system_reset': 'System prompt for this channel reset to the default.',
  'usage': 'Today you used {tokens} tokens{budget}. This channel holds {messages} messages of history (model {model}).',
  'usage_budget': ' of your {budget} daily budget',
  'image_caption': '{prompt}',
  'image_url_only': 'Image: {url}',
  'image_no_url': 'The image was made, but it cannot be shown here.',
  'transcribed': '🎤 {text}',
  'empty_transcript': 'I could not hear any words in that audio.',
  'empty_message': 'Say something and I will answer.',
  'input_too_long': 'That message is too long for me ({chars} characters; the limit is {max}).',
  'vision_off': '(Image input is turned off here; I only read your text.)',
  'error.overloaded': 'The model is overloaded right now. Please try again in a minute.',
  'error.rate_limit': 'The model provider is rate-limiting us. Please try again in a minute.',
  'error.auth': 'The bot\'s API key was rejected by the provider. Please tell the bot\'s admin.',
  'error.forbidden': 'The provider refused this request.',
  'error.bad_request': 'The provider could not accept this request ({detail}).',
  'error.not_found': 'The provider does not know this model or endpoint. An admin can change the model.',
  'error.content_filter': 'The provider\'s content filter blocked this request.',
  'error.timeout': 'The model took too long to answer. Please try again.',
  'error.network': 'I could not reach the model provider. Please try again shortly.',
  'error.server': 'The model provider had an error. Please try again.',
  'error.stream': 'The model\'s answer was cut off by a provider error.',
  'error.unknown': 'Something went wrong. Please try again.',
  'error.interrupted': '⚠️ The reply was interrupted: {reason}',
  'help': [
    'I am an AI assistant. Talk to me and I answer. Commands:',
    '{p}reset: forget this conversation',
    '{p}image <prompt>: draw a picture',
    '{p}tts <text>: speak text aloud',
    '{p}voice on|off: also speak every reply',
    '{p}model [name]: show or set the model',
    '{p}system [prompt]: show or set the system prompt',
    '{p}stop: stop the answer in progress',
    '{p}retry: regenerate the last answer',
    '{p}usage: tokens used today',
    '{p}help: this list',
  ].join('\n'),
} as const;

export type MessageId = keyof typeof en;

const zh: Record<MessageId, string> = {
  'busy': '我还在回答这里之前的消息，请稍等片刻再试。',
  'rate_limited': '你发消息太快了，请一分钟后再试。',
  'budget_exhausted': '你今天的 token 额度（{budget}）已用完，UTC 零点重置。',
  'not_admin': '抱歉，只有管理员可以在这里修改这个设置。',
  'reset_done': '对话已清空。想聊点什么？',
  'stopped': '（已停止）',
  'thinking': '💭 思考中…',
  'thinking_line': '（思考中…）',
  'reasoning_label': '思考过程（摘录）',
  'no_answer': '（模型没有给出回答）',
  'nothing_to_stop': '这里没有正在进行的回答。',
  'nothing_to_retry': '没有可以重新生成的回答。',
  'no_more': '没有更多内容了。',
  'more_hint': '（还有更多：对我说 more）',
  'voice_on': '语音模式已开启：我也会朗读回答。',
  'voice_off': '语音模式已关闭。',
  'voice_unavailable': '这里无法播放声音。',
  'model_current': '当前模型：{model}',
  'model_list': '可用模型：{models}',
  'model_set': '本频道模型已设为 {model}。',
  'model_set_unlisted': '本频道模型已设为 {model}（注意：服务商的模型列表里没有它）。',
  'model_reset': '本频道模型已恢复默认（{model}）。',
  'system_current': '当前系统提示词：{prompt}',
  'system_set': '本频道系统提示词已更新，历史记录保留。',
  'system_reset': '本频道系统提示词已恢复默认。',
  'usage': '你今天用了 {tokens} 个 token{budget}。本频道保存了 {messages} 条历史消息（模型 {model}）。',
  'usage_budget': '，每日额度 {budget}',
  'image_caption': '{prompt}',
  'image_url_only': '图片：{url}',
  'image_no_url': '图片已生成，但这里无法显示。',
  'transcribed': '🎤 {text}',
  'empty_transcript': '这段音频里没有听到文字。',
  'empty_message': '说点什么吧，我会回答。',
  'input_too_long': '这条消息太长了（{chars} 个字符，上限 {max}）。',
  'vision_off': '（这里没有开启图片识别，我只读了你的文字。）',
  'error.overloaded': '模型现在过载了，请一分钟后再试。',
  'error.rate_limit': '模型服务商正在限流，请一分钟后再试。',
  'error.auth': '服务商拒绝了机器人的 API 密钥，请联系管理员。',
  'error.forbidden': '服务商拒绝了这个请求。',
  'error.bad_request': '服务商无法接受这个请求（{detail}）。',
  'error.not_found': '服务商不认识这个模型或接口，管理员可以更换模型。',
  'error.content_filter': '服务商的内容过滤拦截了这个请求。',
  'error.timeout': '模型响应超时，请重试。',
  'error.network': '无法连接到模型服务商，请稍后再试。',
  'error.server': '模型服务商出错了，请重试。',
  'error.stream': '模型的回答被服务商的错误打断了。',
  'error.unknown': '出了点问题，请重试。',
  'error.interrupted': '⚠️ 回答中断：{reason}',
  'help': [
    '我是 AI 助手，直接和我说话即可。命令：',
    '{p}reset：清空本对话',
    '{p}image <描述>：画一张图',
    '{p}tts <文字>：朗读文字',
    '{p}voice on|off：朗读每条回答',
    '{p}model [名称]：查看或设置模型',
    '{p}system [提示词]：查看或设置系统提示词',
    '{p}stop：停止正在进行的回答',
    '{p}retry：重新生成上一个回答',
    '{p}usage：今天用了多少 token',
    '{p}help：显示本列表',
  ].join('\n'),
};

const TABLES: Record<Locale, Record<MessageId, string>> = { en, zh };

/** Looks up a line and fills `{placeholders}`. */
export function t(locale: Locale, id: MessageId, params: Record<string, string | number> = {}): string {
  const template = TABLES[locale][id] ?? en[id];
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

/**
 * A line table for the few lines an adapter says itself (refusals, download errors): the same
 * keys in every locale, looked up like the core's own.
 */
export function defineLines<K extends string>(table: Record<Locale, Record<K, string>>): (locale: Locale, id: K) => string {
  return (locale, id) => table[locale][id] ?? table.en[id];
}
