/**
 * Whether this process is the compiled `flight-power` binary, not `bun bin/flight-power.ts`:
 * a compiled binary's modules live in Bun's embedded file system (`/$bunfs/`, or `B:/~BUN/`
 * on Windows), and only then is `process.execPath` flight-power itself.
 */
export function isCompiledBinary(modulePath: string = Bun.main): boolean {
  return modulePath.startsWith('/$bunfs/') || /^[A-Z]:[\\/]~BUN[\\/]/.test(modulePath)
}
