import { createRunner } from '../exec/index.ts'
import { CliError, loadTopology, TopologyError, type Topology } from '../topology/index.ts'
import { createApp } from './app.ts'
import { loadServerConfig, requireSecret } from './config.ts'
import { supervise } from './lifecycle.ts'
import { createLogger, type Logger } from './logger.ts'
import {
  createTopologyHolder,
  describeTopology,
  logNodeWarnings,
  logTopologyProblems,
} from './topology-holder.ts'

export interface ServeOptions {
  config?: string
  port?: unknown
  bind?: unknown
}

/** `flight-power serve`: load config and topology, listen, and run until SIGTERM. */
export async function serve(options: ServeOptions): Promise<number> {
  const config = await loadServerConfig({
    configFile: options.config,
    overrides: {
      ...(options.port !== undefined ? { port: String(options.port) } : {}),
      ...(options.bind !== undefined ? { bind_address: String(options.bind) } : {}),
    },
  })
  const logger = createLogger({ level: config.logLevel })
  for (const warning of config.warnings) logger.warn(warning)
  const { secret, warning } = requireSecret(config)
  if (warning) logger.warn(warning)

  const topology = await loadInitialTopology(config.topologyPath, logger)
  const holder = createTopologyHolder(topology, { path: config.topologyPath, logger })
  const runner = createRunner({ concurrency: config.workers, cwd: config.workingDirectory })
  const app = createApp({
    getTopology: holder.current,
    runner,
    secret,
    logger,
    maxTargets: config.maxTargets,
  })

  let server: ReturnType<typeof Bun.serve>
  try {
    server = Bun.serve({
      port: config.port,
      hostname: config.bindAddress,
      idleTimeout: config.idleTimeoutSeconds,
      fetch(request, bunServer) {
        // Bun's idleTimeout tops out at 255 s and a power action may take minutes before the
        // first byte of its answer: action requests lift the limit for themselves. Script
        // timeouts bound them instead.
        if (isActionRequest(request)) bunServer.timeout(request, 0)
        return app.fetch(request)
      },
    })
  } catch (error) {
    await runner.killAll()
    const reason =
      (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
        ? 'address already in use'
        : String(error)
    throw new CliError(`Cannot listen on ${config.bindAddress}:${config.port}: ${reason}`, {
      cause: error,
      code: 'ERR_LISTEN',
    })
  }
  const host = config.bindAddress.includes(':') ? `[${config.bindAddress}]` : config.bindAddress
  logger.notice(
    `listening on http://${host}:${server.port} (topology ${describeTopology(topology)}; ${config.workers} workers)`,
  )
  return supervise({
    server,
    runner,
    logger,
    reload: holder.reload,
    graceSeconds: config.shutdownGraceSeconds,
  })
}

/** A server never starts on an invalid topology: log every problem, then refuse. */
async function loadInitialTopology(path: string, logger: Logger): Promise<Topology> {
  try {
    const topology = await loadTopology(path)
    logNodeWarnings(topology, logger)
    return topology
  } catch (error) {
    if (!(error instanceof TopologyError)) throw error
    logger.error(`cannot start: ${error.problems.length} problem(s) in topology "${path}"`)
    logTopologyProblems(error, logger)
    throw new CliError(`${error.message}: run "flight-power check ${path}" for every problem`, {
      code: error.code,
      cause: error,
    })
  }
}

/** Power and status requests on `/` may run as long as their scripts do. */
function isActionRequest(request: Request): boolean {
  const url = request.url
  const start = url.indexOf('/', url.indexOf('//') + 2)
  const end = url.indexOf('?', start)
  return (end < 0 ? url.slice(start) : url.slice(start, end)) === '/'
}
