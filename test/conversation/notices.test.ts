import { describe, expect, it } from 'vitest';
import { NoticePolicy } from '../../src/conversation/policy/notices.js';

describe('NoticePolicy', () => {
  it('says a notice once per user per window, per kind, and again once the window has passed', () => {
    let now = 1_000;
    const policy = new NoticePolicy({ windowMs: 60_000, now: () => now });
    expect(policy.shouldSay('busy', 'telegram:1')).toBe(true);
    expect(policy.shouldSay('busy', 'telegram:1')).toBe(false);
    // Another user, and another kind for the same user, are separate.
    expect(policy.shouldSay('busy', 'telegram:2')).toBe(true);
    expect(policy.shouldSay('rate_limited', 'telegram:1')).toBe(true);
    now += 59_999;
    expect(policy.shouldSay('busy', 'telegram:1')).toBe(false);
    now += 1;
    expect(policy.shouldSay('busy', 'telegram:1')).toBe(true);
    expect(policy.shouldSay('busy', 'telegram:1')).toBe(false);
  });

  it('forgets the oldest users past its bound (they are told again rather than remembered forever)', () => {
    const policy = new NoticePolicy({ maxUsers: 2, now: () => 0 });
    expect(policy.shouldSay('busy', 'a')).toBe(true);
    expect(policy.shouldSay('busy', 'b')).toBe(true);
    expect(policy.shouldSay('busy', 'c')).toBe(true);
    expect(policy.shouldSay('busy', 'c')).toBe(false);
    expect(policy.shouldSay('busy', 'a')).toBe(true);
  });
});
