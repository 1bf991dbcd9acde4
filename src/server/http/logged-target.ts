import { requestTarget } from './request-target.ts'

/** Query keys whose values are node and group names, the only ones worth keeping in a log. */
const LOGGED_KEYS = new Set(['nodes', 'groups'])
/** A key short and plain enough to be a parameter name, not a token sent as a bare key. */
const PLAIN_KEY = /^[A-Za-z0-9_.-]{1,32}$/

/**
 * A request's path and query as the log shows them: `nodes` and `groups` as sent, every other
 * value `[redacted]` (a client may put its token in `?access_token=`, and the journal is read
 * by more people than the server's secret is), and no byte that could break the line.
 */
export function loggedTarget(url: string): string {
  const target = requestTarget(url)
  const mark = target.indexOf('?')
  if (mark < 0) return printable(target)
  const pairs = target
    .slice(mark + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=')
      const key = equals < 0 ? pair : pair.slice(0, equals)
      if (equals >= 0 && LOGGED_KEYS.has(decoded(key))) return pair
      if (!PLAIN_KEY.test(key)) return '[redacted]'
      return equals < 0 ? key : `${key}=[redacted]`
    })
  return printable(`${target.slice(0, mark)}?${pairs.join('&')}`)
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** Visible ASCII only, without quotes or backslashes: anything else percent-encoded. */
function printable(text: string): string {
  return text.replace(/[^\x21-\x7e]|["\\]/g, (char) => encodeURIComponent(char))
}
