/**
 * Server-side sessions, in memory: an opaque cookie token maps to the user, the
 * CSRF token bound to the session and the time of last use. A session unused for
 * the idle timeout is gone (等保 8.1.4.1), and so is one older than the absolute
 * lifetime however busy it is (a wall display does not stay logged in forever).
 * Ended sessions are announced so live connections can be closed.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';

export interface Session {
  token: string;
  csrf: string;
  userId: string;
  createdAt: number;
  lastSeen: number;
}

export type EndReason = 'logout' | 'expired' | 'revoked';

export class Sessions extends EventEmitter<{ ended: [Session, EndReason] }> {
  private readonly byToken = new Map<string, Session>();

  constructor(
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
    private readonly lifetimeMs = Infinity,
  ) {
    super();
  }

  create(userId: string): Session {
    const s: Session = {
      token: randomBytes(32).toString('base64url'),
      csrf: randomBytes(24).toString('base64url'),
      userId,
      createdAt: this.now(),
      lastSeen: this.now(),
    };
    this.byToken.set(s.token, s);
    return s;
  }

  /** The live session for `token` (without marking it used), 'expired' if it idled out or outlived its lifetime, undefined if unknown. */
  peek(token: string | undefined): Session | 'expired' | undefined {
    if (!token) return undefined;
    const s = this.byToken.get(token);
    if (!s) return undefined;
    const now = this.now();
    if (now - s.lastSeen > this.idleMs || now - s.createdAt > this.lifetimeMs) {
      this.end(s, 'expired');
      return 'expired';
    }
    return s;
  }

  /** Like peek, and marks the session used. */
  touch(token: string | undefined): Session | 'expired' | undefined {
    const s = this.peek(token);
    if (s && s !== 'expired') s.lastSeen = this.now();
    return s;
  }

  end(s: Session, reason: EndReason): void {
    if (this.byToken.delete(s.token)) this.emit('ended', s, reason);
  }

  /** Ends every session of a user (disabled, deleted, password changed), but `keep` (the one that changed it). */
  endUser(userId: string, reason: EndReason = 'revoked', keep?: Session): void {
    for (const s of [...this.byToken.values()]) if (s.userId === userId && s !== keep) this.end(s, reason);
  }

  /** Ends idle sessions; called periodically. */
  sweep(): void {
    for (const s of [...this.byToken.values()]) this.peek(s.token);
  }
}
