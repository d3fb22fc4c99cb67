// Discord's own limits, in one place.

/** Characters per message. Measured in UTF-16 units: never more than Discord's own count. */
export const DISCORD_MAX_CHARS = 2000;
/** Upload size every guild accepts (boosted guilds allow more). */
export const DISCORD_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;
/** A typing indicator lasts ~10 s; renew it a little sooner. */
export const TYPING_RENEW_MS = 8_000;
/** Autocomplete must be answered within 3 s and offers at most 25 choices. */
export const AUTOCOMPLETE_MAX_CHOICES = 25;
/** Choice names and values are capped at 100 characters. */
export const CHOICE_MAX_CHARS = 100;
