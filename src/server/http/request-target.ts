/** Host the app sees when the client's own `Host` cannot make a URL (it is never used for links). */
const FALLBACK_ORIGIN = 'http://localhost'
/** Where a request target that still makes no URL is routed: nowhere (404 after auth). */
const NO_ROUTE = '/.invalid-request-target'

/**
 * The request with a URL Hono and `new URL` can parse. Bun hands over what the client sent:
 * `http://x:99999/` (a port out of range), `/health` (HTTP/1.0 without Host, or an empty Host)
 * or `example.com:443` (CONNECT). Such a request keeps its method, headers and path, on a
 * placeholder host, so it is routed and answered like any other instead of failing with 500.
 */
export function safeRequest(request: Request): Request {
  const url = request.url
  if (/^https?:\/\/[^/?#]*\//i.test(url) && URL.canParse(url)) return request
  const target = `${FALLBACK_ORIGIN}${requestTarget(url)}`
  return new Request(URL.canParse(target) ? target : `${FALLBACK_ORIGIN}${NO_ROUTE}`, request)
}

/**
 * The path and query of a request URL as Bun gives it, never throwing: the part after the
 * authority of an absolute URL, the URL itself when it is a path, `/` for CONNECT's host:port.
 */
export function requestTarget(url: string): string {
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/is.exec(url)
  const target = absolute ? absolute[1]! : url
  if (target.startsWith('/')) return target
  if (target.startsWith('?')) return `/${target}`
  return '/'
}
