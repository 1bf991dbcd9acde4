import type { Server } from 'bun'
import type { Runner } from '../../exec/index.ts'
import type { Logger } from '../logger.ts'

/** What `supervise` watches over. */
export interface Supervised {
  /** The listening server(s): a TLS reload may have more than one draining. */
  readonly server: Pick<Server<undefined>, 'pendingRequests' | 'stop'>
  readonly runner: Runner
  readonly logger: Logger
  /** Called on SIGHUP. */
  readonly reload: () => Promise<unknown>
  /** Seconds running actions get after SIGTERM/SIGINT before their scripts are killed. */
  readonly graceSeconds: number
}

/** Seconds given to in-flight responses to reach their clients after scripts are killed. */
const FLUSH_SECONDS = 2

/**
 * Handle signals until the server should end: SIGHUP reloads; SIGTERM or SIGINT stops
 * accepting, waits for running actions up to the grace period, kills what is left and
 * resolves with exit code 0. A second SIGTERM/SIGINT skips the rest of the grace period.
 */
export function supervise(target: Supervised): Promise<number> {
  const { server, runner, logger } = target
  return new Promise((resolve) => {
    let stopping = false
    let hurry: () => void = () => {}
    const onHup = () => {
      logger.notice('received SIGHUP: reloading the topology')
      void target.reload()
    }
    const onStop = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn(`received ${signal} again: killing running scripts now`)
        hurry()
        return
      }
      stopping = true
      const finish = (code: number) => {
        process.off('SIGHUP', onHup)
        process.off('SIGTERM', onStop)
        process.off('SIGINT', onStop)
        resolve(code)
      }
      shutdown(signal).then(finish, (error: unknown) => {
        logger.error(
          `shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        )
        finish(1)
      })
    }
    async function shutdown(signal: NodeJS.Signals): Promise<number> {
      const busy = () => server.pendingRequests
      logger.notice(
        `received ${signal}: no longer accepting connections; waiting up to ${target.graceSeconds}s for ${busy()} request(s) (${runner.active} script(s) running, ${runner.queued} queued)`,
      )
      void server.stop(false)
      const hurried = new Promise<void>((resolve) => (hurry = resolve))
      await Promise.race([until(() => busy() === 0, target.graceSeconds * 1000), hurried])
      if (busy() > 0 || runner.active > 0 || runner.queued > 0) {
        logger.warn(
          `grace period over: killing ${runner.active} running script(s), dropping ${runner.queued} queued`,
        )
      }
      await runner.killAll()
      await until(() => busy() === 0, FLUSH_SECONDS * 1000)
      await server.stop(true)
      logger.notice('stopped')
      return 0
    }
    process.on('SIGHUP', onHup)
    process.on('SIGTERM', onStop)
    process.on('SIGINT', onStop)
  })
}

/** Resolve when `done()` holds or `ms` have passed, polling gently. */
async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (!done() && Date.now() < deadline)
    await Bun.sleep(Math.min(50, Math.max(1, deadline - Date.now())))
}
