/** Timing a child process and reading another one's memory from /proc. */
import { readFileSync } from 'node:fs'

/** What `timeCommand` measured. */
export interface TimedRun {
  /** Wall-clock milliseconds from spawn to exit (and end of output). */
  readonly ms: number
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Options of `timeCommand`. */
export interface TimeCommandOptions {
  readonly env?: Record<string, string>
  /** Bytes or text for stdin; stdin is closed otherwise. */
  readonly stdin?: string | Uint8Array
  /** SIGKILL after this long; the code is then 137. Default 20 minutes. */
  readonly timeoutMs?: number
  readonly cwd?: string
}

/** Run `argv` to completion, timing it; never throws for a non-zero exit. */
export async function timeCommand(
  argv: readonly string[],
  options: TimeCommandOptions = {},
): Promise<TimedRun> {
  const stdin =
    typeof options.stdin === 'string' ? new TextEncoder().encode(options.stdin) : options.stdin
  const started = performance.now()
  const child = Bun.spawn([...argv], {
    env: options.env ?? (process.env as Record<string, string>),
    cwd: options.cwd,
    stdin: stdin ?? 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    timeout: options.timeoutMs ?? 20 * 60_000,
    killSignal: 'SIGKILL',
  })
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ])
  const ms = performance.now() - started
  return { ms, code: child.signalCode ? 137 : code, stdout, stderr }
}

/** A field of /proc/PID/status in kB (VmRSS, VmHWM, …); NaN when the process is gone. */
export function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM' | 'VmSize' | 'RssAnon'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? Number.NaN)
  } catch {
    return Number.NaN
  }
}

/** Sample VmRSS of `pid` every `intervalMs` until stopped; `stop()` returns the peak in kB. */
export function sampleRss(pid: number, intervalMs = 100): { stop(): number } {
  let peak = procStatusKb(pid, 'VmRSS')
  const timer = setInterval(() => {
    const now = procStatusKb(pid, 'VmRSS')
    if (now > peak || Number.isNaN(peak)) peak = now
  }, intervalMs)
  return {
    stop() {
      clearInterval(timer)
      const now = procStatusKb(pid, 'VmRSS')
      return Number.isNaN(peak) || now > peak ? now : peak
    },
  }
}
