// The relay's public face: StreamRelay and the text helpers adapters reuse.
export {
  StreamRelay,
  toSurfaceLines,
  DEFAULT_ERROR_NOTICE,
  DEFAULT_STOPPED_NOTICE,
  DEFAULT_CAP_NOTICE,
  type RelayOptions,
  type RelayResult,
  type ReplyCap,
  type ReplyCaps,
  type StreamRelayDeps,
} from './relay.js';
export { systemClock, type Clock } from './clock.js';
export { splitText, codePointLength, type Measure } from '../format/split.js';
export { displayWidth } from '../format/width.js';
export { wrapLine } from '../format/wrap.js';
export { markdownToPlain } from '../format/markdown.js';
