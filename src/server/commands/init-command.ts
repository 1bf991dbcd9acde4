import type { CAC } from 'cac'
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { CliError, EXIT } from '../../topology/index.ts'
import { loadServerConfig, requireSecret } from '../config/config.ts'
import { DEFAULT_TOPOLOGY } from './default-topology.ts'
import { serviceUnit, UNIT_NAME, unitExecPath } from './service-unit.ts'

/** Days the client token written by `init` stays valid; renew with `flight-power token`. */
export const INIT_TOKEN_DAYS = 365

/** The files `init` manages under a prefix (`/` on a real install). */
export function installPaths(prefix: string, configFile?: string) {
  const root = resolve(prefix)
  return {
    config: configFile ? resolve(configFile) : join(root, 'opt/flight/etc/power-server.conf'),
    topology: join(root, 'opt/flight/etc/power-server/topology.yaml'),
    clientConfig: join(root, 'opt/flight/opt/power-client/etc/config.yaml'),
    unit: join(root, 'etc/systemd/system', UNIT_NAME),
  }
}

/** `flight-power init`: first-time set-up that never overwrites anything. */
export function registerInitCommand(cli: CAC): void {
  cli
    .command(
      'init',
      'First-time set-up: random secret, default topology, client config, systemd unit (never overwrites)',
    )
    .option('--prefix <dir>', 'Install under DIR instead of / (works without root)', {
      default: '/',
    })
    .option(
      '--config <file>',
      'Write the server config here instead of <prefix>/opt/flight/etc/power-server.conf',
    )
    .example('flight-power init --prefix /tmp/demo')
    .action(async (options: { prefix?: unknown; config?: string }) =>
      init(String(options.prefix ?? '/'), options.config),
    )
}

async function init(prefix: string, configFile: string | undefined): Promise<number> {
  const paths = installPaths(prefix, configFile)
  if (/['\n]/.test(paths.topology))
    throw new CliError(`Invalid --prefix "${prefix}": it may not hold quotes or newlines`)
  const said: string[] = []

  const secret = randomBytes(48).toString('base64url')
  const wroteConfig = await writeNew(paths.config, serverConfigText(secret, paths.topology), 0o600)
  said.push(
    wroteConfig
      ? `wrote ${paths.config} (mode 0600, new random secret)`
      : `skipped ${paths.config}: it already exists`,
  )

  // 0600: the default ipmi platform invites per-node BMC passwords into this file.
  const wroteTopology = await writeNew(paths.topology, DEFAULT_TOPOLOGY, 0o600)
  said.push(
    wroteTopology
      ? `wrote ${paths.topology} (mode 0600, default topology: add your nodes)`
      : `skipped ${paths.topology}: it already exists`,
  )

  // The token must verify against whatever secret the server will read, old or new.
  const config = await loadServerConfig({ configFile: paths.config, env: {} })
  let code: number = EXIT.ok
  try {
    const { secret: key } = requireSecret(config)
    const { signToken } = await import('../http/auth.ts')
    const token = await signToken(key, { days: INIT_TOKEN_DAYS, subject: 'init', scope: 'power' })
    const text = `# flight-power client configuration, written by flight-power init\nbase_url: http://localhost:6302\njwt_token: ${token}\n`
    const wroteClient = await writeNew(paths.clientConfig, text, 0o600)
    said.push(
      wroteClient
        ? `wrote ${paths.clientConfig} (mode 0600, power token valid ${INIT_TOKEN_DAYS} days)`
        : `skipped ${paths.clientConfig}: it already exists`,
    )
  } catch (error) {
    if (!(error instanceof CliError)) throw error
    said.push(`skipped ${paths.clientConfig}: ${error.message}`)
    code = EXIT.failed
  }

  // Readable by all, as systemd units are; it holds paths, never the secret.
  const unit = serviceUnit({ execPath: unitExecPath(), configFile: paths.config })
  const wroteUnit = await writeNew(paths.unit, unit, 0o644)
  said.push(
    wroteUnit
      ? `wrote ${paths.unit} (mode 0644, runs ${unitExecPath()} serve)`
      : `skipped ${paths.unit}: it already exists`,
  )

  for (const line of said) console.log(line)
  console.log(`next: edit ${paths.topology}, then run: flight-power serve --config ${paths.config}`)
  console.log('next: systemctl daemon-reload && systemctl enable --now flight-power-server')
  return code
}

/** Create `path` with `text` unless it exists; returns whether it wrote. */
async function writeNew(path: string, text: string, mode: number): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 })
  try {
    await writeFile(path, text, { flag: 'wx', mode })
    await chmod(path, mode) // the umask may have taken bits away
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw new CliError(`Cannot write "${path}": ${(error as Error).message}`, {
      cause: error,
      exitCode: EXIT.failed,
    })
  }
}

function serverConfigText(secret: string, topologyPath: string): string {
  return `# flight-power server configuration, written by flight-power init.
# KEY=value lines, read by "flight-power serve" and by systemd (EnvironmentFile=);
# environment variables of the same names override them. Keep this file mode 0600.
jwt_shared_secret='${secret}'
topology_config='${topologyPath}'
# port=6302
# bind_address=0.0.0.0
# num_worker_commands=50
# log_level=info
# shutdown_grace_seconds=30  (above 40, raise the unit's TimeoutStopSec: systemctl edit flight-power-server)
# max_targets=10000
# idle_timeout_seconds=60
# working_directory=/tmp
# Any other KEY=value line is passed to platform scripts as an environment variable
# (e.g. IPMI_PASSWORD='...' for "ipmitool -E"), as is the server's own environment.
`
}
