/**
 * Which browser origins an API trusts: exact origins (`https://app.example.com`) and, for local
 * development, any port of a host (`http://localhost:*`).
 */
export type OriginMatcher = (origin: string) => boolean;

export function originMatcher(trusted: readonly string[]): OriginMatcher {
  const exact = new Set<string>();
  const anyPort: { protocol: string; hostname: string }[] = [];
  for (const entry of trusted) {
    const wildcard = /^(https?):\/\/([^/:]+):\*$/.exec(entry);
    if (wildcard) anyPort.push({ protocol: `${wildcard[1]}:`, hostname: wildcard[2]! });
    else exact.add(URL.canParse(entry) ? new URL(entry).origin : entry);
  }
  return (origin) => {
    if (exact.has(origin)) return true;
    if (anyPort.length === 0) return false;
    try {
      const url = new URL(origin);
      return url.origin === origin && anyPort.some((p) => p.protocol === url.protocol && p.hostname === url.hostname);
    } catch {
      return false;
    }
  };
}
