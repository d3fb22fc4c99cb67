// Errors start-up must recognise without loading the Redis client (main.ts imports this).

/** Redis cannot be used: the message is one line for start-up, with no credentials in it. */
export class RedisUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RedisUnavailableError';
  }
}
