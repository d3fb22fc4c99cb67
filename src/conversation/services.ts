// The core's services as command handlers see them, built once per manager.
import type { LlmClient } from '../llm/types.js';
import type { Logger } from '../log.js';
import type { HistoryStore } from '../store/types.js';
import type { ChannelKey } from '../types.js';
import type { CommandServices } from './commands/context.js';
import { ModelCatalog } from './models.js';
import { Paging } from './paging.js';
import type { PersonaBook } from './personas.js';
import type { ManagerSettings } from './settings.js';
import type { Speaker } from './speaker.js';
import type { ToolRunner } from './tool-loop.js';

export interface ServiceDeps {
  settings: ManagerSettings;
  llm: LlmClient;
  store: HistoryStore;
  logger: Logger;
  personas?: PersonaBook;
  tools?: ToolRunner;
}

export function commandServices(deps: ServiceDeps, speaker: Speaker, stop: (channel: ChannelKey) => boolean): CommandServices {
  const { settings, store, personas } = deps;
  return {
    settings,
    store,
    llm: deps.llm,
    speaker,
    paging: new Paging(speaker),
    models: new ModelCatalog(deps.llm, deps.logger),
    personas,
    tools: deps.tools,
    stop,
    async currentModel(channel) {
      const chosen = await store.getSettings(channel);
      return chosen.model ?? personas?.get(chosen.persona)?.model ?? settings.chat.chatModel;
    },
  };
}
