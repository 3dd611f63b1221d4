// Entry point for tests: a fake Discord (REST + gateway) on 127.0.0.1. See README.md.
import { FakeDiscord, type FakeDiscordOptions } from './FakeDiscord.js';

export { FakeDiscord } from './FakeDiscord.js';
export type { DefaultFixtures, FakeDiscordOptions, FaultOptions } from './FakeDiscord.js';
export type { InteractionHandle } from './InteractionHandle.js';
export type { FakeWebhook } from './DiscordState.js';
export type { LoggedRequest, RequestMatcher, RoutePattern } from './RequestLog.js';
export type { AddGuildOptions, FakeChannel, FakeGuild, FakeMember, FakeRole, FakeUser } from './fixtures.js';
export { Permission } from './fixtures.js';
export type { InteractionDispatcher } from './InteractionDispatcher.js';
export type {
  AutocompleteInput,
  CallbackRecord,
  ComponentInput,
  InteractionContext,
  ModalSubmitInput,
  SlashCommandInput,
} from './interactions.js';

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const fake = new FakeDiscord(options);
  await fake.listen();
  return fake;
}
