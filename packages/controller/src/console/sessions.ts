import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AccessKey } from '../endpoint/index.js';

export const SESSION_COOKIE = 'baton_console';

export interface ConsoleSession {
  readonly id: string;
  readonly accessKeyId: string;
  readonly csrfToken: string;
  readonly expiresAt: number;
}

/**
 * The console's logins: an operator proves they hold one of the API's access key pairs once, and
 * gets a random session id (kept in an HttpOnly, SameSite=Strict cookie) and a CSRF token the page
 * sends with every action. Sessions live in memory: a restart logs everyone out. The secret is
 * compared in constant time and never kept, logged or sent back.
 */
export class ConsoleSessions {
  private readonly sessions = new Map<string, ConsoleSession>();
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(
    credentials: readonly AccessKey[],
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {
    this.keys = new Map(credentials.map((k) => [k.accessKeyId, digest(k.secretAccessKey)]));
  }

  /** Whether any login can succeed (the console has access keys to check against). */
  get available(): boolean {
    return this.keys.size > 0;
  }

  /** A new session when the pair is one of the access keys; undefined otherwise. */
  login(accessKeyId: string, secretAccessKey: string): ConsoleSession | undefined {
    const expected = this.keys.get(accessKeyId);
    // Hash both sides so the comparison takes the same time whatever the lengths.
    const given = digest(secretAccessKey);
    const ok = expected !== undefined && timingSafeEqual(expected, given);
    if (!ok) return undefined;
    this.sweep();
    const session: ConsoleSession = {
      id: randomBytes(32).toString('base64url'),
      accessKeyId,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: this.now() + this.ttlMs,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  logout(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  /** The request's live session, from its cookie. */
  of(req: IncomingMessage): ConsoleSession | undefined {
    const id = cookie(req, SESSION_COOKIE);
    const s = id ? this.sessions.get(id) : undefined;
    if (!s) return undefined;
    if (s.expiresAt <= this.now()) {
      this.sessions.delete(s.id);
      return undefined;
    }
    return s;
  }

  /** Whether the request carries its session's CSRF token in `x-csrf-token`. */
  static csrfOk(req: IncomingMessage, session: ConsoleSession): boolean {
    const h = req.headers['x-csrf-token'];
    const given = Array.isArray(h) ? h[0] : h;
    return given !== undefined && timingSafeEqual(digest(given), digest(session.csrfToken));
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
