import { describe, expect, it } from 'vitest';
import { isAdminCommand, isCostly, parseCommand } from '../../src/conversation/commands/index.js';

describe('parseCommand with "/"', () => {
  it.each([
    ['hello there', { kind: 'chat', text: 'hello there' }],
    ['/reset', { kind: 'reset' }],
    ['/new', { kind: 'reset' }],
    ['/new@ParleyBot', { kind: 'reset' }],
    ['/image a red fox', { kind: 'image', prompt: 'a red fox' }],
    ['/image', { kind: 'help' }],
    ['/tts hello world', { kind: 'tts', text: 'hello world' }],
    ['/voice on', { kind: 'voice', on: true }],
    ['/voice off', { kind: 'voice', on: false }],
    ['/voice', { kind: 'voice', on: undefined }],
    ['/tools', { kind: 'tools', on: undefined }],
    ['/tools off', { kind: 'tools', on: false }],
    ['/model', { kind: 'model' }],
    ['/model gpt-4o', { kind: 'model', name: 'gpt-4o' }],
    ['/system You are a pirate.', { kind: 'system', prompt: 'You are a pirate.' }],
    ['/system', { kind: 'system' }],
    ['/stop', { kind: 'stop' }],
    ['/retry', { kind: 'retry' }],
    ['/usage', { kind: 'usage' }],
    ['/help', { kind: 'help' }],
    ['/start', { kind: 'help' }],
    ['/nonsense', { kind: 'help' }],
    ['/IMAGE 一只猫', { kind: 'image', prompt: '一只猫' }],
    ['/image multi\nline prompt', { kind: 'image', prompt: 'multi\nline prompt' }],
    // Generated from the registry: /chat (Discord's slash command) is a command everywhere.
    ['/chat hi there', { kind: 'chat', text: 'hi there' }],
    ['/chat', { kind: 'help' }],
    ['/reset all', { kind: 'reset', all: true }],
    ['/重置 全部', { kind: 'reset', all: true }],
    ['/画 一只猫', { kind: 'image', prompt: '一只猫' }],
    ['/停', { kind: 'stop' }],
    ['/regenerate', { kind: 'retry' }],
    ['/more', { kind: 'more' }],
  ])('%j', (input, expected) => {
    expect(parseCommand(input)).toEqual(expected);
  });
});

describe('parseCommand in MUD keyword mode', () => {
  const kw = (s: string) => parseCommand(s, { prefix: '' });
  it('bare keywords are commands', () => {
    expect(kw('reset')).toEqual({ kind: 'reset' });
    expect(kw('more')).toEqual({ kind: 'more' });
    expect(kw('stop')).toEqual({ kind: 'stop' });
    expect(kw('help')).toEqual({ kind: 'help' });
    expect(kw('model')).toEqual({ kind: 'model' });
    expect(kw('image a castle at dusk')).toEqual({ kind: 'image', prompt: 'a castle at dusk' });
  });
  it('sentences that merely start with a keyword are chat', () => {
    expect(kw('reset the quest for me please')).toEqual({ kind: 'chat', text: 'reset the quest for me please' });
    expect(kw('help me find the sword')).toEqual({ kind: 'chat', text: 'help me find the sword' });
    expect(kw('what is a dragon?')).toEqual({ kind: 'chat', text: 'what is a dragon?' });
    expect(kw('image')).toEqual({ kind: 'chat', text: 'image' });
    // Every line after the trigger is chat already: the word "chat" is not a keyword.
    expect(kw('chat with me')).toEqual({ kind: 'chat', text: 'chat with me' });
    expect(kw('reset everything')).toEqual({ kind: 'chat', text: 'reset everything' });
    expect(kw('reset all')).toEqual({ kind: 'reset', all: true });
    expect(kw('voice on')).toEqual({ kind: 'voice', on: true });
  });
});

describe('command classes', () => {
  it('setting model/system needs an admin; reading does not', () => {
    expect(isAdminCommand({ kind: 'model', name: 'x' })).toBe(true);
    expect(isAdminCommand({ kind: 'model' })).toBe(false);
    expect(isAdminCommand({ kind: 'system', prompt: 'x' })).toBe(true);
    expect(isAdminCommand({ kind: 'system' })).toBe(false);
    expect(isAdminCommand({ kind: 'reset' })).toBe(false);
    expect(isAdminCommand({ kind: 'reset', all: true })).toBe(true);
    expect(isAdminCommand({ kind: 'tools', on: false })).toBe(true);
    expect(isAdminCommand({ kind: 'tools' })).toBe(false);
  });
  it('provider calls are costly', () => {
    expect(isCostly({ kind: 'chat', text: 'x' })).toBe(true);
    expect(isCostly({ kind: 'image', prompt: 'x' })).toBe(true);
    expect(isCostly({ kind: 'help' })).toBe(false);
  });
});
