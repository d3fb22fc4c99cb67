// GET models: the provider's catalogue, ids (and owner where given) only.
import { readJson, withRetries, type CallContext } from './call.js';
import type { CallOptions, ModelInfo } from './types.js';

export async function listModels(ctx: CallContext, opts: CallOptions): Promise<ModelInfo[]> {
  const json = await withRetries(ctx, opts, async (signal) =>
    readJson(await ctx.transport.open({ method: 'GET', path: 'models', signal, requestId: opts.requestId })),
  );
  const data = Array.isArray(json.data) ? (json.data as Record<string, unknown>[]) : [];
  return data
    .filter((m) => typeof m?.id === 'string')
    .map((m) => ({ id: m.id as string, ownedBy: typeof m.owned_by === 'string' ? m.owned_by : undefined }));
}
