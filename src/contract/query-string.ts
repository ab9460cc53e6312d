/** The one form in which our URLs write a query: what the HTTP layer reads requests into and the listing writes its `Link` URLs in. */

/**
 * A query component written so every reader agrees on it: each key and value percent-encoded except
 * the unreserved characters (RFC 3986), so a space is `%20`, never `+`, and no reserved character is
 * left bare.
 */
export function encodeQueryComponent(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function serialiseQuery(params: URLSearchParams): string {
  return [...params].map(([k, v]) => `${encodeQueryComponent(k)}=${encodeQueryComponent(v)}`).join('&');
}
