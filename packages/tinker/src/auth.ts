/**
 * The credential a {@link HttpTransport} sends as `X-API-Key` when hosted Tinker asks for JWT auth
 * (`pjwt_auth_enabled` in its client config): the API key is exchanged at `/api/v1/auth/token` for
 * a short-lived JWT, as the official Python SDK does. Internal to the client.
 */
export interface Credential {
  /** The value to send now (exchanging for a fresh one when the current one is near expiry). */
  get(): Promise<string>;
  /** A value other than `rejected`, which the server refused as `invalid_token`. */
  replace(rejected: string): Promise<string>;
}

/** Refresh a JWT when at most this many seconds of it are left (the SDK's margin). */
const REFRESH_MARGIN_S = 60;

/** The `exp` claim of a JWT in seconds since the epoch; Infinity when it has none readable. */
export function jwtExpiry(jwt: string): number {
  try {
    const payload = jwt.split('.')[1];
    if (payload === undefined) return Infinity;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp : Infinity;
  } catch {
    return Infinity;
  }
}

/**
 * A JWT obtained from `exchange`, renewed on demand: when a request finds it within a minute of
 * its `exp`, or when the server rejected it. One exchange at a time; a failed renewal falls back to
 * the current JWT while it is still valid. A JWT without a readable `exp` is kept until the server
 * rejects it.
 */
export class JwtCredential implements Credential {
  private token: string | undefined;
  private expires = 0;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly exchange: () => Promise<string>,
    private readonly nowS: () => number = () => Date.now() / 1000,
  ) {}

  async get(): Promise<string> {
    if (this.token !== undefined && this.expires - this.nowS() > REFRESH_MARGIN_S) return this.token;
    try {
      return await this.renew();
    } catch (err) {
      if (this.token !== undefined && this.expires > this.nowS()) return this.token;
      throw err;
    }
  }

  async replace(rejected: string): Promise<string> {
    if (this.token !== undefined && this.token !== rejected) return this.token;
    return this.renew();
  }

  private renew(): Promise<string> {
    this.pending ??= this.exchange()
      .then((jwt) => {
        this.token = jwt;
        this.expires = jwtExpiry(jwt);
        return jwt;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}
