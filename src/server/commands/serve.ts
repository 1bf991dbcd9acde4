import { createEngine, startStatePoll } from '../../engine/index.ts'
import { createMetrics } from '../../metrics/index.ts'
import { createRunner } from '../../exec/index.ts'
import { CliError, loadTopology, TopologyError, type Topology } from '../../topology/index.ts'
import { createApp } from '../http/app.ts'
import { stat } from 'node:fs/promises'
import {
  graceWarning,
  loadServerConfig,
  requireSecret,
  type ServerConfig,
} from '../config/config.ts'
import { ConfigError } from '../config/errors.ts'
import { supervise } from './lifecycle.ts'
import { createLogger, type Logger } from '../logger.ts'
import { scriptEnvironment } from '../config/script-environment.ts'
import {
  createTopologyHolder,
  describeTopology,
  logNodeWarnings,
  logTopologyProblems,
  releaseParserGarbage,
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
  const grace = graceWarning(config)
  if (grace) logger.warn(grace)

  const topology = await loadInitialTopology(config.topologyPath, logger)
  releaseParserGarbage()
  const holder = createTopologyHolder(topology, { path: config.topologyPath, logger })
  const runner = createRunner({
    concurrency: config.workers,
    cwd: await workingDirectory(config, logger),
    baseEnv: scriptBaseEnv(config, logger),
  })
  const engine = createEngine({
    runner,
    logger,
    concurrency: config.workers,
    powerOnRate: config.powerOnRate,
  })
  const metrics = createMetrics({ engine, getTopology: holder.current })
  const app = createApp({
    getTopology: holder.current,
    engine,
    secret,
    logger,
    maxTargets: config.maxTargets,
    metrics,
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
    throw new CliError(
      `Cannot listen on ${config.bindAddress}:${config.port}: ${listenFailure(error)}`,
      { cause: error, code: 'ERR_LISTEN' },
    )
  }
  const host = config.bindAddress.includes(':') ? `[${config.bindAddress}]` : config.bindAddress
  logger.notice(
    `listening on http://${host}:${server.port} (topology ${describeTopology(topology)}; ${config.workers} workers${config.powerOnRate > 0 ? `; power-on rate ${config.powerOnRate}/min` : ''})`,
  )
  const poll =
    config.statePollSeconds > 0
      ? startStatePoll({
          engine,
          getTopology: holder.current,
          intervalSeconds: config.statePollSeconds,
          logger,
        })
      : undefined
  return supervise({
    server,
    runner,
    logger,
    reload: async () => {
      const ok = await holder.reload()
      metrics.topologyReloaded(ok)
      return ok
    },
    graceSeconds: config.shutdownGraceSeconds,
  }).finally(() => poll?.stop())
}

/** Why `Bun.serve` could not listen, in plain words. */
export function listenFailure(error: unknown): string {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'EADDRINUSE':
      return 'address already in use'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)'
    // Bun reports an address it cannot parse or resolve as EINVAL or ENOENT.
    case 'EADDRNOTAVAIL':
    case 'EINVAL':
    case 'ENOENT':
      return 'not a local address'
    default:
      return error instanceof Error ? error.message : String(error)
  }
}

/**
 * The environment platform scripts start from (see `scriptEnvironment`), logged by name only:
 * values may be passwords.
 */
function scriptBaseEnv(config: ServerConfig, logger: Logger): Readonly<Record<string, string>> {
  const { env, fromConfigFile, withheld } = scriptEnvironment(process.env, config)
  for (const name of fromConfigFile)
    logger.debug(
      `${config.configPath}: "${name}" is passed to platform scripts as an environment variable`,
    )
  for (const name of withheld)
    logger.warn(
      `environment variable "${name}" holds the jwt_shared_secret: withheld from platform scripts`,
    )
  return env
}

/**
 * Scripts' working directory. A bad `working_directory` refuses to start; power-server 1.0's
 * `scripts_dir` is only a hint (that install may be gone), so a bad one falls back with a warning.
 */
export async function workingDirectory(
  config: Pick<ServerConfig, 'workingDirectory' | 'workingDirectoryKey'>,
  logger: Logger,
): Promise<string | undefined> {
  const { workingDirectory: path, workingDirectoryKey: key } = config
  if (path === undefined || key === undefined) return undefined
  const isDirectory = await stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  )
  if (isDirectory) return path
  if (key === 'scripts_dir') {
    logger.warn(
      `scripts_dir "${path}" is not a directory: platform scripts run in the system temporary directory (set working_directory to choose)`,
    )
    return undefined
  }
  throw new ConfigError(`Invalid working_directory "${path}": not a directory`)
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
