import { randomBytes } from 'node:crypto';

export interface AccessTokenRecord {
  token: string;
  clientId: string;
  /** null for app access tokens. */
  userId: string | null;
  scopes: string[];
  /** Real epoch ms: twurple judges expiry with Date.now(), so tokens ignore the fake clock. */
  expiresAt: number;
  invalidated: boolean;
}

interface RefreshRecord {
  refreshToken: string;
  clientId: string;
  userId: string;
  scopes: string[];
  revoked: boolean;
}

interface CodeRecord {
  clientId: string;
  userId: string;
  scopes: string[];
  redirectUri: string | null;
}

/** The shape twurple's RefreshingAuthProvider accepts in addUser/addUserForToken. */
export interface IssuedUserToken {
  accessToken: string;
  refreshToken: string;
  scope: string[];
  expiresIn: number;
  obtainmentTimestamp: number;
}

export type TokenLookup =
  | { status: 'valid'; record: AccessTokenRecord }
  | { status: 'expired'; record: AccessTokenRecord }
  | { status: 'unknown' };

export interface TokenStoreOptions {
  clientId: string;
  appTokenTtlSeconds: number;
  userTokenTtlSeconds: number;
}

function newSecret(): string {
  // Twitch tokens are 30 lowercase alphanumerics.
  return randomBytes(24)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')
    .slice(0, 30);
}

/** OAuth state: app and user access tokens, refresh tokens and authorization codes for the fake's one client. */
export class TokenStore {
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private readonly codes = new Map<string, CodeRecord>();

  constructor(private readonly options: TokenStoreOptions) {}

  issueAppToken(ttlSeconds = this.options.appTokenTtlSeconds): AccessTokenRecord {
    return this.storeAccess(null, [], ttlSeconds);
  }

  issueUserToken(
    userId: string,
    scopes: string[],
    ttlSeconds = this.options.userTokenTtlSeconds,
  ): IssuedUserToken {
    const refreshToken = newSecret();
    this.refreshTokens.set(refreshToken, {
      refreshToken,
      clientId: this.options.clientId,
      userId,
      scopes: [...scopes],
      revoked: false,
    });
    return this.userTokenFor(refreshToken, ttlSeconds);
  }

  issueAuthorizationCode(userId: string, scopes: string[], redirectUri: string | null): string {
    const code = newSecret();
    this.codes.set(code, { clientId: this.options.clientId, userId, scopes: [...scopes], redirectUri });
    return code;
  }

  /** Codes are single-use; returns an error message instead of a token when the exchange is refused. */
  exchangeCode(code: string, redirectUri: string | null): IssuedUserToken | string {
    const record = this.codes.get(code);
    if (!record) {
      return 'Invalid authorization code';
    }
    this.codes.delete(code);
    if (record.redirectUri !== null && redirectUri !== record.redirectUri) {
      return 'Parameter redirect_uri does not match registered URI';
    }
    return this.issueUserToken(record.userId, record.scopes);
  }

  /** Twitch keeps the refresh token of a confidential client; the access token is new. */
  refresh(refreshToken: string): IssuedUserToken | null {
    const record = this.refreshTokens.get(refreshToken);
    if (!record || record.revoked) {
      return null;
    }
    return this.userTokenFor(refreshToken, this.options.userTokenTtlSeconds);
  }

  lookup(token: string): TokenLookup {
    const record = this.accessTokens.get(token);
    if (!record || record.invalidated) {
      return { status: 'unknown' };
    }
    if (record.expiresAt <= Date.now()) {
      return { status: 'expired', record };
    }
    return { status: 'valid', record };
  }

  /** Makes every access token invalid right now (refresh tokens keep working). */
  expireAll(): number {
    let count = 0;
    for (const record of this.accessTokens.values()) {
      if (record.expiresAt > Date.now()) {
        record.expiresAt = Date.now();
        count++;
      }
    }
    return count;
  }

  expireToken(token: string): boolean {
    const record = this.accessTokens.get(token);
    if (!record) return false;
    record.expiresAt = Date.now();
    return true;
  }

  /** POST /auth/revoke: the access token stops working. */
  revokeAccessToken(token: string): boolean {
    const record = this.accessTokens.get(token);
    if (!record || record.invalidated) return false;
    record.invalidated = true;
    return true;
  }

  /** One refresh token stops working (Twitch answers 400 "Invalid refresh token"); the user's others keep working. */
  revokeRefreshToken(refreshToken: string): boolean {
    const record = this.refreshTokens.get(refreshToken);
    if (!record || record.revoked) return false;
    record.revoked = true;
    return true;
  }

  /** The user disconnects the app: every access and refresh token of theirs stops working. */
  revokeUser(userId: string): void {
    for (const record of this.accessTokens.values()) {
      if (record.userId === userId) record.invalidated = true;
    }
    for (const record of this.refreshTokens.values()) {
      if (record.userId === userId) record.revoked = true;
    }
  }

  /** Whether the user has authorised the app (a live refresh token): EventSub subscriptions on them cost 0. */
  hasAuthorised(userId: string): boolean {
    for (const record of this.refreshTokens.values()) {
      if (record.userId === userId && !record.revoked) return true;
    }
    return false;
  }

  private userTokenFor(refreshToken: string, ttlSeconds: number): IssuedUserToken {
    const record = this.refreshTokens.get(refreshToken)!;
    const access = this.storeAccess(record.userId, record.scopes, ttlSeconds);
    return {
      accessToken: access.token,
      refreshToken,
      scope: [...record.scopes],
      expiresIn: ttlSeconds,
      obtainmentTimestamp: Date.now(),
    };
  }

  private storeAccess(userId: string | null, scopes: string[], ttlSeconds: number): AccessTokenRecord {
    const record: AccessTokenRecord = {
      token: newSecret(),
      clientId: this.options.clientId,
      userId,
      scopes: [...scopes],
      expiresAt: Date.now() + ttlSeconds * 1000,
      invalidated: false,
    };
    this.accessTokens.set(record.token, record);
    return record;
  }
}
