// Who the bot answers: pure rules over message facts.
import { describe, expect, it } from 'vitest';
import { channelKeyFor, decide, type AccessRules, type MessageFacts } from '../../adapters/discord/routing.js';

const open: AccessRules = { allowedGuilds: [], allowedChannels: [], allowedUsers: [], listenChannels: [] };
const base: MessageFacts = { authorId: 'u1', authorIsBot: false, guildId: 'g1', channelId: 'c1', mentionsBot: false, replyToBot: false };

describe('decide', () => {
  it('answers DMs, mentions and replies to the bot; ignores the rest of a guild channel', () => {
    expect(decide({ ...base, guildId: undefined }, open)).toEqual({ answer: true, trigger: 'dm' });
    expect(decide({ ...base, mentionsBot: true }, open)).toEqual({ answer: true, trigger: 'mention' });
    expect(decide({ ...base, replyToBot: true }, open)).toEqual({ answer: true, trigger: 'reply' });
    expect(decide(base, open)).toMatchObject({ answer: false });
  });

  it('never answers bots, itself included (no bot loops)', () => {
    expect(decide({ ...base, authorIsBot: true, mentionsBot: true }, open)).toMatchObject({ answer: false, reason: 'author is a bot' });
    expect(decide({ ...base, authorIsBot: true, guildId: undefined }, open)).toMatchObject({ answer: false });
  });

  it('answers everything in listen channels and their threads', () => {
    const rules = { ...open, listenChannels: ['c1'] };
    expect(decide(base, rules)).toEqual({ answer: true, trigger: 'listen' });
    expect(decide({ ...base, channelId: 't1', parentChannelId: 'c1' }, rules)).toEqual({ answer: true, trigger: 'listen' });
    expect(decide({ ...base, channelId: 'c2' }, rules)).toMatchObject({ answer: false });
  });

  it('applies the guild, channel and user allowlists before anything else', () => {
    expect(decide({ ...base, mentionsBot: true }, { ...open, allowedGuilds: ['g2'] })).toMatchObject({ answer: false, reason: 'guild not allowed' });
    expect(decide({ ...base, mentionsBot: true }, { ...open, allowedChannels: ['c2'] })).toMatchObject({ answer: false, reason: 'channel not allowed' });
    expect(decide({ ...base, mentionsBot: true, channelId: 't1', parentChannelId: 'c2' }, { ...open, allowedChannels: ['c2'] })).toMatchObject({ answer: true });
    expect(decide({ ...base, guildId: undefined }, { ...open, allowedUsers: ['u2'] })).toMatchObject({ answer: false, reason: 'user not allowed' });
    expect(decide({ ...base, guildId: undefined }, { ...open, allowedUsers: ['u1'] })).toMatchObject({ answer: true });
  });

  it('DMs are not restricted by the guild list (only by users)', () => {
    expect(decide({ ...base, guildId: undefined }, { ...open, allowedGuilds: ['g2'] })).toEqual({ answer: true, trigger: 'dm' });
  });
});

describe('channelKeyFor', () => {
  it('names guild channels, threads and DMs', () => {
    expect(channelKeyFor('g1', 'c1')).toBe('discord:g1:c1');
    expect(channelKeyFor(null, 'd1')).toBe('discord:dm:d1');
  });
});
