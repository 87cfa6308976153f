/** The two cookie operations the console needs (no plugin: the current @fastify/cookie loads an ESM-only module). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function sessionCookie(name: string, value: string, opts: { secure: boolean; maxAgeS?: number }): string {
  const attrs = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (opts.secure) attrs.push('Secure');
  if (opts.maxAgeS !== undefined) attrs.push(`Max-Age=${opts.maxAgeS}`);
  return attrs.join('; ');
}
