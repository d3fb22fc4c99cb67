// Splits `<think>…</think>` reasoning out of streamed content, chunk by chunk. Models served
// raw (DeepSeek-R1, QwQ and their relays) put their reasoning inside the content this way.

const OPEN = '<think>';
const CLOSE = '</think>';

export interface ThinkSplit {
  answer: string;
  reasoning: string;
}

/**
 * Incremental splitter. Only a `<think>` that opens the content (after optional whitespace)
 * counts: an answer that talks about the tag later keeps it as text. A tag cut across chunks
 * is held back until it is decided; whitespace after `</think>` is dropped.
 */
export class ThinkSplitter {
  private state: 'start' | 'thinking' | 'after' | 'answer' = 'start';
  /** Text held back: a possible tag prefix not decided yet. */
  private held = '';

  push(piece: string): ThinkSplit {
    const out: ThinkSplit = { answer: '', reasoning: '' };
    let text = this.held + piece;
    this.held = '';
    while (text) {
      if (this.state === 'answer') {
        out.answer += text;
        break;
      }
      if (this.state === 'after') {
        const rest = text.trimStart();
        if (!rest) break;
        this.state = 'answer';
        text = rest;
        continue;
      }
      if (this.state === 'start') {
        const rest = text.trimStart();
        if (rest.startsWith(OPEN)) {
          this.state = 'thinking';
          text = rest.slice(OPEN.length);
          continue;
        }
        if (OPEN.startsWith(rest)) {
          this.held = text;
          break;
        }
        this.state = 'answer';
        continue;
      }
      // thinking
      const end = text.indexOf(CLOSE);
      if (end >= 0) {
        out.reasoning += text.slice(0, end);
        this.state = 'after';
        text = text.slice(end + CLOSE.length);
        continue;
      }
      const keep = partialSuffix(text, CLOSE);
      out.reasoning += text.slice(0, text.length - keep);
      this.held = text.slice(text.length - keep);
      break;
    }
    return out;
  }

  /** End of the stream: whatever was held back is what it looked like. */
  end(): ThinkSplit {
    const held = this.held;
    this.held = '';
    if (this.state === 'thinking') return { answer: '', reasoning: held };
    return { answer: this.state === 'start' ? held : '', reasoning: '' };
  }
}

/** Length of the longest suffix of `text` that is a proper prefix of `tag`. */
function partialSuffix(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) {
    if (tag.startsWith(text.slice(text.length - n))) return n;
  }
  return 0;
}
