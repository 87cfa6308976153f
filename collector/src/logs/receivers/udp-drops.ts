/** Datagrams the kernel dropped on a UDP port because our socket buffer was full (Linux /proc/net/udp{,6}). */
import { readFileSync } from 'node:fs';

export function udpKernelDrops(port: number): number {
  if (!port) return 0;
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  let drops = 0;
  for (const f of ['/proc/net/udp', '/proc/net/udp6']) {
    try {
      for (const line of readFileSync(f, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols[1]?.endsWith(`:${hex}`)) drops += Number(cols[cols.length - 1]) || 0;
      }
    } catch {
      // not Linux: kernel drops are not visible
    }
  }
  return drops;
}
