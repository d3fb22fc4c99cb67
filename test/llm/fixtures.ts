// Literal samples from the providers' documentation (docs/providers.md names them by seed number).
import type { LlmErrorKind } from '../../src/llm/errors.js';

/** seed 002 (rcouyi) stream sample: role-only first delta, usage inside choices[0]. The seed elides middle chunks with '...'. */
export const SEED002_STREAM = [
  "data: {\"id\":\"cmpl-1305b94c570f447fbde3180560736287\",\"object\":\"chat.completion.chunk\",\"created\":1698999575,\"model\":\"gpt3.5\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}",
  "data: {\"id\":\"cmpl-1305b94c570f447fbde3180560736287\",\"object\":\"chat.completion.chunk\",\"created\":1698999575,\"model\":\"gpt3.5\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\u4f60\u597d\"},\"finish_reason\":null}]}",
  "data: {\"id\":\"cmpl-1305b94c570f447fbde3180560736287\",\"object\":\"chat.completion.chunk\",\"created\":1698999575,\"model\":\"gpt3.5\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\u3002\"},\"finish_reason\":null}]}",
  "data: {\"id\":\"cmpl-1305b94c570f447fbde3180560736287\",\"object\":\"chat.completion.chunk\",\"created\":1698999575,\"model\":\"gpt3.5\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\",\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":13,\"total_tokens\":32}}]}",
  "data: [DONE]",
].join('\n\n') + '\n\n';

/** seed 004 (acedata) stream sample: role in every delta, role-only delta before the finish. */
export const SEED004_STREAM = [
  "data: {\"choices\": [{\"delta\": {\"role\": \"assistant\"}, \"index\": 0}], \"created\": 1721007348, \"id\": \"chatcmpl-YzczYjVhNjhjMzMwNDQ5MDkyNGYzOGZjZGE1ZGQ5OGU\", \"model\": \"gpt-4\", \"object\": \"chat.completion.chunk\", \"recipient\": \"all\"}",
  "data: {\"choices\": [{\"delta\": {\"content\": \"Hi\", \"role\": \"assistant\"}, \"index\": 0}], \"created\": 1721007348, \"id\": \"chatcmpl-YzczYjVhNjhjMzMwNDQ5MDkyNGYzOGZjZGE1ZGQ5OGU\", \"model\": \"gpt-4\", \"object\": \"chat.completion.chunk\", \"recipient\": \"all\"}",
  "data: {\"choices\": [{\"delta\": {\"content\": \" there\", \"role\": \"assistant\"}, \"index\": 0}], \"created\": 1721007348, \"id\": \"chatcmpl-YzczYjVhNjhjMzMwNDQ5MDkyNGYzOGZjZGE1ZGQ5OGU\", \"model\": \"gpt-4\", \"object\": \"chat.completion.chunk\", \"recipient\": \"all\"}",
  "data: {\"choices\": [{\"delta\": {\"content\": \"!\", \"role\": \"assistant\"}, \"index\": 0}], \"created\": 1721007348, \"id\": \"chatcmpl-YzczYjVhNjhjMzMwNDQ5MDkyNGYzOGZjZGE1ZGQ5OGU\", \"model\": \"gpt-4\", \"object\": \"chat.completion.chunk\", \"recipient\": \"all\"}",
  "data: {\"choices\": [{\"delta\": {\"content\": \" How\", \"role\": \"assistant\"}, \"index\": 0}], \"created\": 1721007348, \"id\": \"chatcmpl-YzczYjVhNjhjMzMwNDQ5MDkyNGYzOGZjZGE1ZGQ5OGU\", \"model\": \"gpt-4\", \"object\": \"chat.completion.chunk\", \"recipient\": \"all\"}",
  "data: {\"choices\": [{\"delta\": {\"content\": \" can\", \"role\": \"assistant\"}, \"index\": 0}], \"created\": 1721007348, \"id\": \"chatcmpl-YzczYjVhNjhjMzMwNDQ5MDkyNGYzOGZjZGE1ZGQ5OGU\", \"model\": \"gpt-4\", \"object\": \"chat.completion.chunk\", \"recipient\": \"all\"}",
  "data: {\"choices\": [{\"delta\": {\"content\": \" I\", \"role\": \"assistant\"}, \"index\": 0}], \"created\": 1721007348, \"id\": \"chatcmpl-YzczYjVhNjhjMzMwNDQ5MDkyNGYzOGZjZGE1ZGQ5OGU\", \"model\": \"gpt-4\", \"object\": \"chat.completion.chunk\", \"recipient\": \"all\"}",
  "data: {\"choices\": [{\"delta\": {\"content\": \" assist\", \"role\": \"assistant\"}, \"index\": 0}], \"created\": 1721007348, \"id\": \"chatcmpl-YzczYjVhNjhjMzMwNDQ5MDkyNGYzOGZjZGE1ZGQ5OGU\", \"model\": \"gpt-4\", \"object\": \"chat.completion.chunk\", \"recipient\": \"all\"}",
  "data: {\"choices\": [{\"delta\": {\"content\": \" you\", \"role\": \"assistant\"}, \"index\": 0}], \"created\": 1721007348, \"id\": \"chatcmpl-YzczYjVhNjhjMzMwNDQ5MDkyNGYzOGZjZGE1ZGQ5OGU\", \"model\": \"gpt-4\", \"object\": \"chat.completion.chunk\", \"recipient\": \"all\"}",
  "data: {\"choices\": [{\"delta\": {\"content\": \" today\", \"role\": \"assistant\"}, \"index\": 0}], \"created\": 1721007348, \"id\": \"chatcmpl-YzczYjVhNjhjMzMwNDQ5MDkyNGYzOGZjZGE1ZGQ5OGU\", \"model\": \"gpt-4\", \"object\": \"chat.completion.chunk\", \"recipient\": \"all\"}",
  "data: {\"choices\": [{\"delta\": {\"content\": \"?\", \"role\": \"assistant\"}, \"index\": 0}], \"created\": 1721007348, \"id\": \"chatcmpl-YzczYjVhNjhjMzMwNDQ5MDkyNGYzOGZjZGE1ZGQ5OGU\", \"model\": \"gpt-4\", \"object\": \"chat.completion.chunk\", \"recipient\": \"all\"}",
  "data: {\"choices\": [{\"delta\": {\"role\": \"assistant\"}, \"index\": 0}], \"created\": 1721007348, \"id\": \"chatcmpl-YzczYjVhNjhjMzMwNDQ5MDkyNGYzOGZjZGE1ZGQ5OGU\", \"model\": \"gpt-4\", \"object\": \"chat.completion.chunk\", \"recipient\": \"all\"}",
  "data: {\"choices\": [{\"delta\": {\"role\": \"assistant\"}, \"finish_reason\": \"stop\", \"index\": 0}], \"created\": 1721007349, \"id\": \"chatcmpl-YzczYjVhNjhjMzMwNDQ5MDkyNGYzOGZjZGE1ZGQ5OGU\", \"model\": \"gpt-4\", \"object\": \"chat.completion.chunk\", \"recipient\": \"all\"}",
  "data: [DONE]",
].join('\n\n') + '\n\n';
/** seed 004's error envelope. */
export const SEED004_ERROR = `{
  "success": false,
  "error": {
    "code": "api_error",
    "message": "fetch failed"
  },
  "trace_id": "2cf86e86-22a4-46e1-ac2f-032c0f2a4e89"
}`;

/** seed 004's plain (non-streamed) answer: object says "chunk", extra `recipient`. */
export const SEED004_PLAIN = `{
  "id": "chatcmpl-9k1idCCQuteN6Zu7Kv35TrG6DHKNt",
  "object": "chat.completion.chunk",
  "created": 1720756723,
  "model": "gpt-4",
  "system_fingerprint": "fp_abc28019ad",
  "choices": [
    {
      "index": 0,
      "message": {
        "role": "assistant",
        "content": "Hello! How can I assist you today?"
      },
      "finish_reason": "stop"
    }
  ],
  "recipient": "all",
  "usage": {
    "prompt_tokens": 8,
    "completion_tokens": 9,
    "total_tokens": 17
  }
}`;

/** seed 000 (apigpt, Azure-flavoured) plain answer. */
export const SEED000_PLAIN = `{
    "id":"chatcmpl-7SKQgp3ry5w9ZB0A3mMcvYOFB1VYG",
    "object":"chat.completion",
    "created":1686986070,
    "model":"gpt-35-turbo",
    "choices":[
        {
            "index":0,
            "finish_reason":"stop",
            "message":{
                "role":"assistant",
                "content":"Hello, this message is from apigpt.cloud! How may I assist you today?"
            }
        }
    ],
    "usage":{
        "completion_tokens":18,
        "prompt_tokens":18,
        "total_tokens":36
    }
}`;

/** seed 000's image answer: url, null b64_json, revised_prompt, Azure filter results. */
export const SEED000_IMAGE = {
  created: 1716862564,
  data: [
    {
      b64_json: null,
      revised_prompt: 'a ball of fire',
      url: 'REPLACED_BY_TEST',
      content_filter_results: {
        hate: { filtered: false, severity: 'safe' },
        self_harm: { filtered: false, severity: 'safe' },
        sexual: { filtered: false, severity: 'safe' },
        violence: { filtered: false, severity: 'safe' },
      },
      prompt_filter_results: {
        hate: { filtered: false, severity: 'safe' },
        profanity: { detected: false, filtered: false },
        self_harm: { filtered: false, severity: 'safe' },
        sexual: { filtered: false, severity: 'safe' },
        violence: { filtered: false, severity: 'safe' },
      },
    },
  ],
};

/** An nginx error page, as a proxy in front of a relay sends it. */
export const NGINX_502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>`;

/** Each HTTP status a provider answers with and the error kind the client must give it. */
export const STATUS_KINDS: [number, LlmErrorKind][] = [
  [400, 'bad_request'],
  [401, 'auth'],
  [403, 'forbidden'],
  [404, 'not_found'],
  [429, 'rate_limit'],
  [500, 'server'],
  [502, 'server'],
  [503, 'server'],
  [529, 'overloaded'],
];
