/**
 * Which side of an alert is the campus: its asset (edu.alert.asset) is the end inside the
 * schools' ranges — the source of outbound traffic (a host talking to a mining pool is the
 * victim, not the resolver it asked), the destination of inbound and internal traffic — and
 * its remote party (edu.alert.remote) the other end. Posture's 受攻击资产 TOP, the risk view and
 * the alert list read these instead of guessing from source and destination.
 */
import { cidrRange, EduError, ipKey, type AlertEvent } from '@edusentry/core';

export class AlertSides {
  private readonly ranges: [string, string][];

  constructor(campusNetworks: string[]) {
    this.ranges = campusNetworks.map((c) => {
      try {
        return cidrRange(c);
      } catch {
        throw new EduError('EDU_ERR_CONFIG', `analyzer.campusNetworks: "${c}" is not a CIDR block (e.g. 10.0.0.0/8)`);
      }
    });
  }

  onCampus(ip: string | undefined): boolean {
    const k = ip ? ipKey(ip) : undefined;
    return !!k && this.ranges.some(([lo, hi]) => k >= lo && k <= hi);
  }

  /** Sets edu.alert.asset and edu.alert.remote when one end of the alert is on campus. */
  mark(alert: AlertEvent): void {
    const src = alert.source?.ip;
    const dst = alert.destination?.ip;
    const srcIn = this.onCampus(src);
    const dstIn = this.onCampus(dst);
    // outbound: the campus source; inbound and internal: the campus destination.
    const [asset, remote] = dstIn ? [dst, src] : srcIn ? [src, dst] : [undefined, undefined];
    if (!asset) return;
    alert.edu.alert.asset = asset;
    if (remote) alert.edu.alert.remote = remote;
  }
}
