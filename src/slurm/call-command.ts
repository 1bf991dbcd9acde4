import { resolve } from 'node:path'
import { EXIT, cliPath, cliSeconds } from '../topology/index.ts'
import { SYSTEM_CONFIG_PATH } from '../client/index.ts'
import { runSlurmCall } from './call.ts'
import type { SlurmOptions } from './options.ts'
import { serverPower } from './server-power.ts'
import { openSlurmLog } from './slurm-log.ts'
import { createSyslog } from './syslog.ts'
import {
  DEFAULT_LOG_FILE,
  DEFAULT_SLURM_TIMEOUT_SECONDS,
  SYSLOG_TAG,
  type SlurmAction,
} from './types.ts'

/** Past the call's own deadline, the process ends whatever still holds it open. */
const WATCHDOG_GRACE_MS = 10_000
/** Once the call is logged, how long anything left over may keep the process alive. */
const FINISHED_GRACE_MS = 1000

/**
 * `flight-power slurm resume|suspend|resume-fail HOSTLIST`, as slurmctld runs it: no
 * environment but SLURM_CONF and SLURM_RESUME_FILE, stdio closed (Bun puts /dev/null there),
 * TERM and HUP blocked. Everything goes to the log; on a terminal, to stderr as well.
 */
export async function runCallCommand(
  action: SlurmAction,
  hostlist: string,
  options: SlurmOptions,
): Promise<number> {
  const logFile =
    options.log !== undefined && options.log !== '' && typeof options.log !== 'boolean'
      ? String(options.log)
      : DEFAULT_LOG_FILE
  const log = openSlurmLog({
    file: resolve(logFile),
    syslog: createSyslog({ tag: SYSLOG_TAG }),
    pid: process.pid,
    echo: process.stderr.isTTY ? (line) => void process.stderr.write(`${line}\n`) : undefined,
  })
  let seconds = DEFAULT_SLURM_TIMEOUT_SECONDS
  try {
    seconds = cliSeconds(options.timeout, '--timeout', DEFAULT_SLURM_TIMEOUT_SECONDS)
  } catch (error) {
    // A hand-edited program must still power nodes: say so and use the default.
    log.warn(`${(error as Error).message}; using ${DEFAULT_SLURM_TIMEOUT_SECONDS} s`)
  }
  const timeoutMs = seconds * 1000
  let configFile: string
  try {
    configFile = resolve(cliPath(options.config, '--config') ?? SYSTEM_CONFIG_PATH)
  } catch (error) {
    log.error(`${action} ${hostlist}: ${(error as Error).message}`)
    await log.close(3000)
    return EXIT.usage
  }

  // Slurm never kills its programs and blocks TERM, so a stuck call would live for ever:
  // this timer ends the process if anything outlives the deadline. Unref'd, it never keeps
  // a finished call waiting.
  const grace = Math.min(WATCHDOG_GRACE_MS, timeoutMs)
  let watchdog = setTimeout(() => {
    log.error(`${action} ${hostlist}: still running ${grace / 1000} s past --timeout; exiting`)
    process.exit(EXIT.unreachable)
  }, timeoutMs + grace)
  watchdog.unref()

  const code = await runSlurmCall(
    { action, hostlist, resumeFile: process.env.SLURM_RESUME_FILE || undefined, timeoutMs },
    { power: serverPower({ configFile, timeoutMs }), log },
  )
  // Everything is logged: whatever still holds the process (a read given up on) is dropped.
  clearTimeout(watchdog)
  watchdog = setTimeout(() => process.exit(code), FINISHED_GRACE_MS)
  watchdog.unref()
  return code
}
