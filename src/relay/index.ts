// The relay's public face: StreamRelay and the text helpers adapters reuse.
export {
  StreamRelay,
  toSurfaceLines,
  DEFAULT_ERROR_NOTICE,
  DEFAULT_STOPPED_NOTICE,
  DEFAULT_CAP_NOTICE,
  DEFAULT_TYPING_INTERVAL_MS,
  type RelayOptions,
  type RelayResult,
  type ReplyCap,
  type ReplyCaps,
  type StreamRelayDeps,
} from './relay.js';
export { systemClock, type Clock } from './clock.js';
export { splitText, codePointLength, type Measure } from './split.js';
export { displayWidth } from './width.js';
export { wrapLine } from './wrap.js';
export { markdownToPlain } from './markdown.js';
