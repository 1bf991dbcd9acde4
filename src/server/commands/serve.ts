import { createEngine, startStatePoll } from '../../engine/index.ts'
import { createMetrics } from '../../metrics/index.ts'
import { createRedfishDriver } from '../../redfish/index.ts'
import { createRunner } from '../../exec/index.ts'
import {
  CliError,
  cliText,
  errorMessage,
  loadTopology,
  TopologyError,
  type Topology,
} from '../../topology/index.ts'
import { createApp } from '../http/app.ts'
import { safeRequest } from '../http/request-target.ts'
import { isListenable } from './bind-address.ts'
import { connectionBindings } from './connection.ts'
import { stat } from 'node:fs/promises'
import { checkConfigFile, topologyModeWarning } from '../config/file-safety.ts'
import { watchRevocations } from '../revocation/index.ts'
import { createListeners, loadTls, type TlsMaterial } from './tls.ts'
import {
  graceWarning,
  loadServerConfig,
  requireSecret,
  type ServerConfig,
} from '../config/config.ts'
import { ServerConfigError } from '../config/errors.ts'
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
      ...(options.port !== undefined ? { port: cliText(options.port, '--port') } : {}),
      ...(options.bind !== undefined ? { bind_address: cliText(options.bind, '--bind') } : {}),
    },
  })
  const logger = createLogger({ level: config.logLevel })
  for (const warning of config.warnings) logger.warn(warning)
  const secret = requireSecret(config)
  checkConfigFile(config, process.getuid?.() ?? 0)
  const grace = graceWarning(config)
  if (grace) logger.warn(grace)

  const topology = await loadInitialTopology(config.topologyPath, logger)
  releaseParserGarbage()
  const exposed = topologyModeWarning(topology, await stat(config.topologyPath))
  if (exposed) logger.warn(exposed)
  let tls = await loadTls(config)
  // Asked before anything is started that a refusal would have to stop again.
  if (!(await isListenable(config.bindAddress)))
    throw new CliError(
      `Cannot listen on ${config.bindAddress}:${config.port}: not a local address (not an IP address, and the name does not resolve)`,
      { code: 'ERR_LISTEN' },
    )
  const revocations = await watchRevocations({ path: config.revokedTokensFile, logger })
  const holder = createTopologyHolder(topology, { path: config.topologyPath, logger })
  const baseEnv = scriptBaseEnv(config, logger)
  const runner = createRunner({
    concurrency: config.workers,
    cwd: await workingDirectory(config, logger),
    baseEnv,
  })
  // Redfish reads REDFISH_PASSWORD from what scripts would see: the same secrets withheld.
  const redfish = createRedfishDriver({ env: baseEnv, logger })
  const engine = createEngine({
    runner,
    logger,
    concurrency: config.workers,
    powerOnRate: config.powerOnRate,
    builtin: { redfish },
  })
  const metrics = createMetrics({ engine, getTopology: holder.current })
  const app = createApp({
    getTopology: holder.current,
    engine,
    secret,
    logger,
    maxTargets: config.maxTargets,
    isRevoked: revocations.isRevoked,
    metrics,
  })

  let server: ReturnType<typeof Bun.serve>
  let serveOptions: ServeOptionsOf<typeof Bun.serve> | undefined
  // Kept, so that a new TLS certificate can start a new server with the same handler.
  const listen = (options: ServeOptionsOf<typeof Bun.serve>) => Bun.serve((serveOptions = options))
  try {
    server = listen({
      port: config.port,
      hostname: config.bindAddress,
      idleTimeout: config.idleTimeoutSeconds,
      ...tlsOptions(tls),
      fetch(request, bunServer) {
        // Bun's idleTimeout tops out at 255 s and a power action may take minutes before the
        // first byte of its answer: authenticated actions lift it for themselves (longAction).
        const bindings = connectionBindings(request, bunServer, config.idleTimeoutSeconds)
        return app.fetch(safeRequest(request), bindings)
      },
    })
  } catch (error) {
    await runner.killAll()
    revocations.close()
    await redfish.close()
    throw new CliError(
      `Cannot listen on ${config.bindAddress}:${config.port}: ${listenFailure(error)}`,
      { cause: error, code: 'ERR_LISTEN' },
    )
  }
  const host = config.bindAddress.includes(':') ? `[${config.bindAddress}]` : config.bindAddress
  if (tls) logger.notice(`serving HTTPS with "${config.tlsCertFile}" (valid until ${tls.validTo})`)
  const listeners = createListeners(server)
  async function reloadTls(): Promise<void> {
    if (!tls || !serveOptions) return
    try {
      const next = await loadTls(config)
      if (!next || (next.cert === tls.cert && next.key === tls.key)) return
      const options = { ...serveOptions, port: listeners.port, ...tlsOptions(next) }
      listeners.swap(Bun.serve(options as typeof serveOptions))
      tls = next
      logger.notice(
        `TLS certificate reloaded from "${config.tlsCertFile}" (valid until ${next.validTo})`,
      )
    } catch (error) {
      logger.error(`cannot reload TLS: ${(error as Error).message}; keeping the old certificate`)
    }
  }
  logger.notice(
    `listening on ${tls ? 'https' : 'http'}://${host}:${server.port} (topology ${describeTopology(topology)}; ${config.workers} workers${config.powerOnRate > 0 ? `; power-on rate ${config.powerOnRate}/min` : ''})`,
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
  try {
    return await supervise({
      server: listeners,
      runner,
      logger,
      reload: async () => {
        const [ok] = await Promise.all([holder.reload(), revocations.reload(), reloadTls()])
        metrics.topologyReloaded(ok)
        return ok
      },
      graceSeconds: config.shutdownGraceSeconds,
    })
  } finally {
    poll?.stop()
    revocations.close()
    // Redfish sessions are deleted, not left to time out on the BMCs.
    await redfish.close()
  }
}

type ServeOptionsOf<F> = F extends (options: infer O) => unknown ? O : never

/** Bun.serve's TLS options; `reusePort` lets a reloaded certificate's server bind the port too. */
function tlsOptions(tls: TlsMaterial | undefined) {
  return tls ? { tls: { cert: tls.cert, key: tls.key }, reusePort: true } : {}
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
      return errorMessage(error)
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
  throw new ServerConfigError(`Invalid working_directory "${path}": not a directory`)
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
