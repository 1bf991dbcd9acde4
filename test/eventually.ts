/**
 * Wait until `check` holds, polling gently: the one way the end-to-end tests wait for
 * something another process does. The deadline only guards against hanging; on expiry it
 * throws, naming `what` (and `detail()` when given, e.g. a log to read).
 */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  options: {
    timeoutMs?: number
    intervalMs?: number
    detail?: () => string | Promise<string>
  } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000)
  while (!(await check())) {
    if (Date.now() > deadline) {
      const detail = options.detail ? `\n${await options.detail()}` : ''
      throw new Error(`Timed out waiting for ${what}${detail}`)
    }
    await Bun.sleep(options.intervalMs ?? 25)
  }
}
