// DISCORD_CONTEXT=chain: a message's history is the reply chain it continues (as llmcord does),
// not everything said in the channel. Replying to an older answer branches from that point;
// a message that replies to nothing starts fresh.
import { MessageReferenceType, type Message } from 'discord.js';
import { LRUCache } from 'lru-cache';
import { sanitizeName } from '../../src/conversation/index.js';
import type { Logger } from '../../src/log.js';
import type { StoredTurn } from '../../src/store/types.js';
import { cleanText } from './inbound.js';
import { MessageReplySurface } from './message-surface.js';
import type { OutgoingBody } from './surface.js';

/** User messages whose chain link is remembered (discord.js keeps only the newest per channel). */
const LINKS_REMEMBERED = 10_000;

interface Link {
  turn?: StoredTurn;
  parentId?: string;
}

export class ReplyChains {
  /**
   * Users' messages only: the bot's own may still be growing when a chain passes through them,
   * so they are read from discord.js's cache, which our own edits keep current.
   */
  private readonly links = new LRUCache<string, Link>({ max: LINKS_REMEMBERED });
  /**
   * A long answer is several messages and only the first replies to the question: each later
   * part points back to the part before it, so a reply to any part follows the whole answer.
   */
  private readonly earlierPart = new LRUCache<string, string>({ max: LINKS_REMEMBERED });
  /**
   * The last text we wrote into each of our messages: discord.js's cache learns of our edits only
   * from the gateway, a moment later (or never, on a test double), and REST may lag the same way.
   */
  private readonly ownText = new LRUCache<string, string>({ max: LINKS_REMEMBERED });

  constructor(
    private readonly botId: string,
    /** Turns the model could take at most (HISTORY_MAX_MESSAGES): the walk stops there. */
    private readonly maxTurns: number,
    private readonly logger: Logger,
  ) {}

  /**
   * The conversation `message` continues: the turns before it, oldest first ([] when it replies
   * to nothing), and the users' messages it directly answers, quoted (see `shapeChain`).
   */
  async contextFor(message: Message, isGroup: boolean): Promise<ChainContext> {
    return shapeChain(await this.turnsBefore(message, isGroup));
  }

  private async turnsBefore(message: Message, isGroup: boolean): Promise<StoredTurn[]> {
    const turns: StoredTurn[] = [];
    const seen = new Set<string>([message.id]);
    let parentId = parentOf(message);
    while (parentId !== undefined && turns.length < this.maxTurns && !seen.has(parentId)) {
      seen.add(parentId);
      const link = await this.link(message, parentId, isGroup);
      if (!link) break;
      if (link.turn) turns.push(link.turn);
      parentId = link.parentId;
    }
    return turns.reverse();
  }

  private async link(from: Message, id: string, isGroup: boolean): Promise<Link | undefined> {
    const cached = this.links.get(id);
    if (cached) return cached;
    let parent: Message;
    try {
      // The cache first; a REST GET for messages from before the bot started (or evicted).
      parent = await from.channel.messages.fetch(id);
    } catch (err) {
      // Deleted, or out of reach: the chain starts after it.
      this.logger.debug({ err, messageId: id }, 'reply chain ends at a message that cannot be fetched');
      return undefined;
    }
    const link = this.toLink(parent, isGroup);
    if (parent.author.id !== this.botId) this.links.set(id, link);
    return link;
  }

  /** Remembers that the bot posted `later` right after `earlier` in one answer. */
  notePart(earlier: string, later: string): void {
    this.earlierPart.set(later, earlier);
  }

  /** Remembers what the bot last wrote into one of its messages. */
  noteText(messageId: string, text: string): void {
    this.ownText.set(messageId, text);
  }

  private toLink(message: Message, isGroup: boolean): Link {
    const parentId = parentOf(message) ?? this.earlierPart.get(message.id);
    const at = message.createdTimestamp;
    if (message.author.id === this.botId) {
      const text = this.ownText.get(message.id) ?? message.content;
      return { parentId, ...(text.trim() ? { turn: { role: 'assistant', content: text, at } } : {}) };
    }
    const content = cleanText(message, this.botId);
    const name = isGroup ? sanitizeName(message.member?.displayName ?? message.author.displayName) : undefined;
    return { parentId, ...(content ? { turn: { role: 'user', content, at, ...(name ? { name } : {}) } } : {}) };
  }
}

/** The message this one replies to, in the same channel (a forward or a cross-channel link is not a reply). */
function parentOf(message: Message): string | undefined {
  const ref = message.reference;
  if (!ref?.messageId || ref.type === MessageReferenceType.Forward || ref.channelId !== message.channelId) return undefined;
  return ref.messageId;
}

export interface ChainContext {
  turns: StoredTurn[];
  /** Users' messages right before this one (a reply to a person, not to the bot), as a quote. */
  quote?: string;
}

/**
 * Runs of user turns are real here (people replying to each other), but the model is sent one
 * user turn at a time (the history keeps only the newest of a run): a run becomes one turn, each
 * line led by its speaker, and the run the new message answers becomes a quote inside it.
 */
export function shapeChain(turns: StoredTurn[]): ChainContext {
  const folded: StoredTurn[] = [];
  let run: StoredTurn[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const speakers = new Set(run.map((t) => t.name));
    if (run.length === 1) folded.push(run[0]!);
    else {
      const content = run.map((t) => (t.name && speakers.size > 1 ? `${t.name}: ${t.content}` : t.content)).join('\n\n');
      const name = speakers.size === 1 ? run[0]!.name : undefined;
      folded.push({ role: 'user', content, at: run.at(-1)!.at, ...(name ? { name } : {}) });
    }
    run = [];
  };
  for (const turn of turns) {
    if (turn.role === 'user') run.push(turn);
    else {
      flush();
      const previous = folded.at(-1);
      // The parts of one long answer are one assistant turn again.
      if (previous?.role === 'assistant') folded[folded.length - 1] = { ...previous, content: `${previous.content}\n${turn.content}`, at: turn.at };
      else folded.push(turn);
    }
  }
  const answered = run;
  if (answered.length === 0) return { turns: folded };
  const quote = answered.map((t) => `> ${t.name ? `${t.name}: ` : ''}${t.content.replace(/\n/g, '\n> ')}`).join('\n');
  return { turns: folded, quote };
}

/** A reply transport that tells the chains which of its messages are parts of one answer. */
export class ChainedReplySurface extends MessageReplySurface {
  private lastPostedId: string | undefined;

  constructor(
    source: Message,
    opts: ConstructorParameters<typeof MessageReplySurface>[1],
    private readonly chains: ReplyChains,
  ) {
    super(source, opts);
  }

  protected override async postBody(body: OutgoingBody): Promise<Message> {
    const posted = await super.postBody(body);
    if (this.lastPostedId) this.chains.notePart(this.lastPostedId, posted.id);
    this.lastPostedId = posted.id;
    if (body.content !== undefined) this.chains.noteText(posted.id, body.content);
    return posted;
  }

  protected override async patchBody(ref: Message, body: OutgoingBody): Promise<void> {
    await super.patchBody(ref, body);
    if (body.content !== undefined) this.chains.noteText(ref.id, body.content);
  }
}
