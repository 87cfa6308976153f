/**
 * Login lockout per account and per client address (等保 8.1.4.1).
 *
 * An attempt is admitted or refused synchronously, before the password is verified,
 * and an admitted attempt counts as "in flight" until its verification ends. An
 * attempt is refused when the failures already counted plus those in flight could
 * reach the threshold: parallel guesses therefore never get more than `threshold`
 * verifications, and a right password cannot be verified while enough wrong ones
 * are pending to lock the account. The account's count and lock live on its row
 * (an administrator can unlock it); the address's in memory.
 */
import type { ConsoleConfig } from '../config';
import type { UserWithSecret, Users } from '../state';

/** Why an attempt was refused, for the audit trail only: the client gets one answer for every failure. */
export type Refusal = 'account locked' | 'address locked';

export interface Attempt {
  /** The password was wrong (or the user unknown): count it. Returns the lock times this failure set. */
  failed(): { accountLockedUntil: number | null; addressLockedUntil: number | null };
  /** The password was right: false if the account got locked meanwhile (then it is no success). */
  succeeded(): boolean;
}

interface AddressState {
  failed: number;
  inFlight: number;
  lastFailure: number;
  lockedUntil: number;
}

export class LoginGuard {
  private readonly accountsInFlight = new Map<string, number>();
  private readonly addresses = new Map<string, AddressState>();

  constructor(
    private readonly users: Users,
    private readonly policy: ConsoleConfig['lockout'],
    private readonly now: () => number,
  ) {}

  private get lockMs(): number {
    return this.policy.minutes * 60_000;
  }

  /** The address's state, with failures older than the lock period forgotten. */
  private address(ip: string): AddressState {
    const now = this.now();
    let a = this.addresses.get(ip);
    if (a && a.inFlight === 0 && a.lockedUntil <= now && now - a.lastFailure > this.lockMs) {
      this.addresses.delete(ip);
      a = undefined;
    }
    if (!a) {
      if (this.addresses.size >= 100_000) this.prune();
      a = { failed: 0, inFlight: 0, lastFailure: 0, lockedUntil: 0 };
      this.addresses.set(ip, a);
    }
    return a;
  }

  private prune(): void {
    for (const ip of [...this.addresses.keys()]) this.address(ip);
  }

  /**
   * Admits a login attempt for `user` (undefined: unknown, or not to be counted on an
   * account) from `ip`, or refuses it. Must be called in the same tick as reading `user`.
   */
  admit(user: UserWithSecret | undefined, ip: string): Attempt | Refusal {
    const now = this.now();
    const addr = this.address(ip);
    if (addr.lockedUntil > now || addr.failed + addr.inFlight >= this.policy.addressThreshold) return 'address locked';
    if (user) {
      const pending = this.accountsInFlight.get(user.id) ?? 0;
      if ((user.lockedUntilMs ?? 0) > now || user.failedLogins + pending >= this.policy.threshold)
        return 'account locked';
      this.accountsInFlight.set(user.id, pending + 1);
    }
    addr.inFlight++;
    let done = false;
    const finish = () => {
      if (done) throw new Error('a login attempt was finished twice');
      done = true;
      addr.inFlight--;
      if (!user) return;
      const n = (this.accountsInFlight.get(user.id) ?? 1) - 1;
      if (n > 0) this.accountsInFlight.set(user.id, n);
      else this.accountsInFlight.delete(user.id);
    };
    return {
      failed: () => {
        finish();
        const at = this.now();
        addr.failed++;
        addr.lastFailure = at;
        let addressLockedUntil: number | null = null;
        if (addr.failed >= this.policy.addressThreshold) {
          addr.lockedUntil = addressLockedUntil = at + this.lockMs;
          addr.failed = 0;
        }
        const accountLockedUntil = user
          ? this.users.recordFailure(user.id, this.policy.threshold, this.lockMs).lockedUntil
          : null;
        return { accountLockedUntil, addressLockedUntil };
      },
      succeeded: () => {
        finish();
        if (!user) return false;
        const fresh = this.users.byId(user.id);
        if (!fresh || (fresh.lockedUntilMs ?? 0) > this.now()) return false;
        this.users.recordSuccess(user.id);
        return true;
      },
    };
  }
}
