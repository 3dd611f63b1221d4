// What a test holds after dispatching an interaction: awaits the bot's callback, edits and follow-ups.
import type { CallbackRecord, InteractionState } from './interactions.js';
import { CallbackType, MESSAGE_FLAG_LOADING } from './interactions.js';

type Json = Record<string, unknown>;

export interface InteractionStore {
  message(id: string): Json | undefined;
  waitUntil<T>(probe: () => T | undefined, timeoutMs: number, description: string): Promise<T>;
}

export class InteractionHandle {
  get #where(): string {
    return `interaction ${this.state.id} (sent to ${this.state.dispatchedTo} gateway session(s))`;
  }

  constructor(
    readonly state: InteractionState,
    private readonly store: InteractionStore,
    private readonly defaultTimeoutMs: number,
  ) {}

  get id(): string {
    return this.state.id;
  }

  get token(): string {
    return this.state.token;
  }

  /** The INTERACTION_CREATE body that was dispatched. */
  get payload(): Json {
    return this.state.payload;
  }

  /** The current @original message, or null before the bot answered. */
  get original(): Json | null {
    return this.state.originalId === null ? null : (this.store.message(this.state.originalId) ?? null);
  }

  get followUps(): Json[] {
    return this.state.followUpIds
      .map((id) => this.store.message(id))
      .filter((message): message is Json => message !== undefined);
  }

  /** Resolves with the first callback (POST /interactions/{id}/{token}/callback) the bot sent. */
  callback(timeoutMs = this.defaultTimeoutMs): Promise<CallbackRecord> {
    return this.store.waitUntil(
      () => this.state.callback ?? undefined,
      timeoutMs,
      `callback for ${this.#where}`,
    );
  }

  /** Resolves with the first @original snapshot after a PATCH that satisfies the predicate. */
  waitForEdit(
    predicate: (message: Json) => boolean = () => true,
    timeoutMs = this.defaultTimeoutMs,
  ): Promise<Json> {
    return this.store.waitUntil(
      () => this.state.edits.find(predicate),
      timeoutMs,
      `edit of @original for ${this.#where}`,
    );
  }

  waitForFollowUp(
    predicate: (message: Json) => boolean = () => true,
    timeoutMs = this.defaultTimeoutMs,
  ): Promise<Json> {
    return this.store.waitUntil(
      () => this.followUps.find(predicate),
      timeoutMs,
      `follow-up for ${this.#where}`,
    );
  }

  /** The answer the user finally sees: a reply, or a deferred reply once it was edited (no longer "thinking"). */
  finalMessage(timeoutMs = this.defaultTimeoutMs): Promise<Json> {
    return this.store.waitUntil(
      () => {
        const original = this.original;
        if (original === null || (Number(original.flags ?? 0) & MESSAGE_FLAG_LOADING) !== 0) return undefined;
        if (this.state.callback?.type === CallbackType.DeferredUpdateMessage && this.state.edits.length === 0)
          return undefined;
        return original;
      },
      timeoutMs,
      `final message for ${this.#where}`,
    );
  }

  /** Choices the bot answered an autocomplete interaction with. */
  async autocompleteChoices(timeoutMs = this.defaultTimeoutMs): Promise<Json[]> {
    const callback = await this.callback(timeoutMs);
    if (callback.type !== CallbackType.AutocompleteResult) {
      throw new Error(`interaction ${this.id} was answered with callback type ${callback.type}, not 8`);
    }
    return (callback.data?.choices ?? []) as Json[];
  }
}
