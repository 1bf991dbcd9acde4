import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'

/**
 * Whether `address` can be listened on at all: an IP literal, or a name that resolves. Asked
 * before `Bun.serve`, because when a name does not resolve Bun 1.4.5 reports whatever errno
 * was left over (seen: EADDRINUSE), which would send an administrator hunting for a process
 * holding the port.
 */
export async function isListenable(address: string): Promise<boolean> {
  if (isIP(address) !== 0) return true
  try {
    await lookup(address)
    return true
  } catch {
    return false
  }
}
