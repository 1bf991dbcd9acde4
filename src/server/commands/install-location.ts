import { tmpdir } from 'node:os'
import { resolve, sep } from 'node:path'

/** Where an installed binary is expected to live; anything else in ExecStart is a surprise. */
const INSTALLED_ROOTS = ['/usr/', '/opt/', '/bin/', '/sbin/', '/srv/']
/** Path segments that mark a build output or a checkout rather than an install. */
const BUILD_SEGMENTS = ['dist', 'build', 'node_modules', 'out', 'target']

/**
 * Why `execPath` is a poor program for a systemd unit (a temporary or build folder, or outside
 * the usual install roots), or undefined when it looks installed. A unit pointing into a
 * clone breaks on the next `git clean` or rebuild, silently.
 */
export function notInstalledReason(execPath: string, temp: string = tmpdir()): string | undefined {
  const path = resolve(execPath)
  const temporary = [resolve(temp), '/tmp', '/var/tmp', '/dev/shm'].find(
    (dir) => path === dir || path.startsWith(`${dir}${sep}`),
  )
  if (temporary) return `it is under ${temporary}, a temporary folder`
  const segment = path.split(sep).find((part) => BUILD_SEGMENTS.includes(part))
  if (segment) return `it is in a "${segment}" folder, a build output`
  if (!INSTALLED_ROOTS.some((root) => path.startsWith(root)))
    return `it is outside ${INSTALLED_ROOTS.map((root) => root.slice(0, -1)).join(', ')}`
  return undefined
}
