// Who may change a channel's settings (model, system prompt, persona, tools, reset all).
import type { Incoming, Platform } from '../../types.js';

export class AccessPolicy {
  constructor(private readonly admins: readonly string[]) {}

  isAdmin(platform: Platform, userId: string): boolean {
    return this.admins.includes(`${platform}:${userId}`) || this.admins.includes(userId);
  }

  /**
   * Admin commands: listed admins anywhere. With no ADMINS configured, anyone in a direct chat
   * (or the console) may, since that person is the only one affected; shared channels refuse.
   */
  mayAdminister(msg: Incoming): boolean {
    if (this.admins.length === 0) return msg.isDirect || msg.platform === 'console';
    return this.isAdmin(msg.platform, msg.user.id);
  }
}
