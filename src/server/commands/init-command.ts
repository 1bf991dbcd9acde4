import type { CAC } from 'cac'
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { CliError, EXIT, cliText } from '../../topology/index.ts'
import { loadServerConfig, requireSecret } from '../config/config.ts'
import { DEFAULT_TOPOLOGY } from './default-topology.ts'
import { mintToken } from './mint.ts'
import { certificateNames, SELF_SIGNED_DAYS, selfSigned } from './self-signed.ts'
import { notInstalledReason } from './install-location.ts'
import { runwayCommands, runwayCommandsDir } from './runway.ts'
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
    tlsCert: join(root, 'opt/flight/etc/power-server/tls/server.crt'),
    tlsKey: join(root, 'opt/flight/etc/power-server/tls/server.key'),
    runway: runwayCommandsDir(root),
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
    .option(
      '--runway',
      'Client-only node: install only the Flight Runway command "flight power" under <prefix>/opt/flight/libexec/commands',
    )
    .option('--tls', 'Serve HTTPS: write a self-signed certificate (needs the openssl command)')
    .option('--tls-name <name>', 'A name the certificate is for, besides this host and localhost')
    .example('flight-power init --prefix /tmp/demo')
    .example('flight-power init --tls --tls-name head1.cluster')
    .example('flight-power init --runway')
    .action(
      async (options: {
        prefix?: unknown
        config?: string
        tls?: boolean
        tlsName?: unknown
        runway?: boolean
      }) => {
        const prefix = cliText(options.prefix, '--prefix') ?? '/'
        return options.runway
          ? initRunway(prefix)
          : init(prefix, options.config, {
              tls: options.tls === true || options.tlsName !== undefined,
              names: [options.tlsName ?? []].flat().map(String),
            })
      },
    )
}

async function init(
  prefix: string,
  configFile: string | undefined,
  options: { tls: boolean; names: string[] },
): Promise<number> {
  const paths = installPaths(prefix, configFile)
  if (/['\n]/.test(paths.topology))
    throw new CliError(`Invalid --prefix "${prefix}": it may not hold quotes or newlines`)
  const said: string[] = []

  const tls = options.tls ? { cert: paths.tlsCert, key: paths.tlsKey } : undefined
  if (tls) said.push(...(await writeCertificate(tls, certificateNames(options.names))))

  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString('base64url')
  const wroteConfig = await writeNew(
    paths.config,
    serverConfigText(secret, paths.topology, tls),
    0o600,
  )
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
    const key = requireSecret(config)
    const token = await mintToken(key, config.revokedTokensFile, {
      days: INIT_TOKEN_DAYS,
      subject: 'init',
      scope: 'power',
    })
    const text = `# flight-power client configuration, written by flight-power init\nbase_url: ${tls ? 'https' : 'http'}://localhost:6302\njwt_token: ${token}\n${tls ? `ca_file: ${tls.cert}\n` : ''}`
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
  const execPath = unitExecPath()
  const unit = serviceUnit({ execPath, configFile: paths.config })
  const wroteUnit = await writeNew(paths.unit, unit, 0o644)
  said.push(
    wroteUnit
      ? `wrote ${paths.unit} (mode 0644, runs ${execPath} serve)`
      : `skipped ${paths.unit}: it already exists`,
  )

  said.push(...(await writeRunway(prefix, paths, execPath, true)))

  for (const line of said) console.log(line)
  const why = wroteUnit ? notInstalledReason(execPath) : undefined
  if (why) {
    console.error(
      `flight-power: warning: the unit runs ${execPath}, but ${why}: install the binary first (sudo install -D -m 0755 ${execPath} ${INSTALLED_PATH}), then delete ${paths.unit} and run "${INSTALLED_PATH} init${resolve(prefix) === '/' ? '' : ` --prefix ${prefix}`}" again, or edit its ExecStart=`,
    )
  }
  for (const line of nextSteps(prefix, paths, execPath)) console.log(`next: ${line}`)
  return code
}

/** `init --runway`: on a client-only node, only the `flight power` runway command. */
async function initRunway(prefix: string): Promise<number> {
  const paths = installPaths(prefix)
  for (const line of await writeRunway(prefix, paths, unitExecPath(), false)) console.log(line)
  console.log(
    `next: put base_url and jwt_token in ${paths.clientConfig}, then: flight power status @all`,
  )
  return EXIT.ok
}

/** Write the runway commands that do not exist yet; a `power` there may be power-client's. */
async function writeRunway(
  prefix: string,
  paths: ReturnType<typeof installPaths>,
  execPath: string,
  server: boolean,
): Promise<string[]> {
  const underPrefix = resolve(prefix) !== '/'
  const commands = runwayCommands({
    execPath,
    clientConfig: underPrefix ? paths.clientConfig : undefined,
    serverConfig: server ? paths.config : undefined,
  })
  const said: string[] = []
  for (const command of commands) {
    const path = join(paths.runway, command.name)
    said.push(
      (await writeNew(path, command.text, 0o755))
        ? `wrote ${path} (mode 0755, Flight Runway command: flight ${command.name})`
        : `skipped ${path}: it already exists (remove OpenFlight's to use flight-power's)`,
    )
  }
  return said
}

/** Where the README installs the binary: on PATH for root and for every user. */
export const INSTALLED_PATH = '/usr/local/bin/flight-power'

/** What to do after `init`: under a prefix, name the files it wrote rather than system paths. */
function nextSteps(prefix: string, paths: ReturnType<typeof installPaths>, execPath: string) {
  const serve = `${execPath} serve --config ${paths.config}`
  if (resolve(prefix) === '/')
    return [
      `edit ${paths.topology}, then check it: flight-power check --config ${paths.config}`,
      'systemctl daemon-reload && systemctl enable --now flight-power-server',
    ]
  return [
    `edit ${paths.topology}, then run the server: ${serve}`,
    `or under systemd: sudo cp ${paths.unit} /etc/systemd/system/ && sudo systemctl daemon-reload && sudo systemctl enable --now flight-power-server`,
    `talk to it: ${execPath} status @all --config ${paths.clientConfig}`,
  ]
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

/** The certificate (0644) and key (0600) of `init --tls`, unless a certificate is there. */
async function writeCertificate(
  paths: { cert: string; key: string },
  names: string[],
): Promise<string[]> {
  if (await exists(paths.cert))
    return [`skipped ${paths.cert}: it already exists (and so does its key, presumably)`]
  const { cert, key } = await selfSigned(names)
  await writeNew(paths.key, key, 0o600)
  await writeNew(paths.cert, cert, 0o644)
  return [
    `wrote ${paths.key} (mode 0600, TLS key)`,
    `wrote ${paths.cert} (mode 0644, self-signed for ${names.join(', ')}; valid ${SELF_SIGNED_DAYS} days; clients trust it with ca_file)`,
  ]
}

function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

function serverConfigText(
  secret: string,
  topologyPath: string,
  tls?: { cert: string; key: string },
): string {
  return `# flight-power server configuration, written by flight-power init.
# KEY=value lines, read by "flight-power serve" and by systemd (EnvironmentFile=);
# environment variables of the same names override them. Keep this file mode 0600:
# the server refuses to start when others may read it.
jwt_shared_secret='${secret}'
topology_config='${topologyPath}'
${tls ? `tls_cert_file='${tls.cert}'\ntls_key_file='${tls.key}'\n` : '# tls_cert_file=  and  tls_key_file=  serve HTTPS (flight-power init --tls makes both)\n'}# revoked_tokens_file=  (default: power-server/revoked-tokens beside this file)
# port=6302
# bind_address=0.0.0.0
# num_worker_commands=50
# Nodes per minute that on, restart and cycle may switch on, across every client (0: no
# limit). Hundreds of nodes starting at once can trip a breaker; 300 is Slurm's ResumeRate.
power_on_rate=300
# log_level=info
# shutdown_grace_seconds=30  (above 40, raise the unit's TimeoutStopSec: systemctl edit flight-power-server)
# max_targets=10000
# idle_timeout_seconds=60
# working_directory=/tmp
# Any other KEY=value line is passed to platform scripts as an environment variable
# (e.g. IPMI_PASSWORD='...' for "ipmitool -E"), as is the server's own environment.
`
}
