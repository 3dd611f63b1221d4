// Errors in Discord's JSON shape. Route handlers throw these; the server turns them into responses.

export class DiscordHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message));
  }

  static invalidFormBody(errors: Record<string, unknown>): DiscordHttpError {
    return new DiscordHttpError(400, { code: 50035, message: 'Invalid Form Body', errors });
  }

  static notFound(code: number, what: string): DiscordHttpError {
    return new DiscordHttpError(404, { code, message: `Unknown ${what}` });
  }

  static unauthorized(): DiscordHttpError {
    return new DiscordHttpError(401, { code: 0, message: '401: Unauthorized' });
  }

  static coded(status: number, code: number, message: string): DiscordHttpError {
    return new DiscordHttpError(status, { code, message });
  }
}

/** Collects field errors under dotted paths and renders Discord's nested `{ a: { 0: { _errors } } }` tree. */
export class FormErrorCollector {
  readonly #errors: Record<string, unknown> = {};
  #count = 0;

  add(path: (string | number)[], code: string, message: string): void {
    let node = this.#errors;
    for (const key of path) {
      const next = (node[String(key)] ??= {}) as Record<string, unknown>;
      node = next;
    }
    const list = (node._errors ??= []) as { code: string; message: string }[];
    list.push({ code, message });
    this.#count += 1;
  }

  get hasErrors(): boolean {
    return this.#count > 0;
  }

  throwIfAny(): void {
    if (this.hasErrors) throw DiscordHttpError.invalidFormBody(this.#errors);
  }
}
