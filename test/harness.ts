/**
 * Shared end-to-end test harness: builds the real `flight-power` binary once per test
 * process, starts real servers on free ports, and runs CLI commands with a clean environment.
 * Used by the server, client, platform, slurm and bench suites; keep its API stable.
 */
import { mkdtemp, readFile, writeFile, appendFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/** Absolute path of the repository checkout (the directory holding package.json). */
export const repoRoot: string = resolve(import.meta.dir, '..')

let binary: Promise<string> | undefined

/**
 * Build the binary once per test process (memoised) into a temp dir and return its path.
 * Set `FLIGHT_POWER_TEST_BINARY` to an already built binary to skip the build (CI builds
 * once, then runs every suite against that one file).
 */
export function buildBinary(): Promise<string> {
  binary ??= (async () => {
    const prebuilt = process.env.FLIGHT_POWER_TEST_BINARY
    if (prebuilt) return resolve(prebuilt)
    const outfile = join(await mkdtemp(join(tmpdir(), 'flight-power-bin-')), 'flight-power')
    const build = Bun.spawn(
      [process.execPath, 'scripts/build.ts', '--outfile', outfile, '--no-smoke'],
      {
        cwd: repoRoot,
        stdout: 'pipe',
        stderr: 'pipe',
      },
    )
    const [stdout, stderr, code] = await Promise.all([
      new Response(build.stdout).text(),
      new Response(build.stderr).text(),
      build.exited,
    ])
    if (code !== 0)
      throw new Error(`Cannot build the test binary (exit ${code}):\n${stdout}\n${stderr}`)
    return outfile
  })()
  return binary
}

/** The result of one CLI run. */
export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Options of `runCli`. */
export interface RunCliOptions {
  /** Added to the clean environment (PATH and a temporary HOME). */
  env?: Record<string, string>
  /** Text written to the command's stdin (none by default: stdin is closed). */
  stdin?: string
  /** Kill the command (SIGKILL) after this long; default 30 000 ms. The code is then 137. */
  timeoutMs?: number
  /** Working directory; default a temporary directory. */
  cwd?: string
}

let scratchHome: Promise<string> | undefined
/** One temporary HOME per test process, so no test reads the developer's own config. */
function testHome(): Promise<string> {
  scratchHome ??= mkdtemp(join(tmpdir(), 'flight-power-home-'))
  return scratchHome
}

/** The environment every harness process starts from: PATH, a temporary HOME, C locale. */
async function cleanEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: await testHome(),
    LANG: 'C.UTF-8',
    ...extra,
  }
}

/**
 * Run the built binary with `args` and a clean environment (PATH, HOME=a temp dir, plus
 * `options.env`); never throws for a non-zero exit.
 */
export async function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const path = await buildBinary()
  const child = Bun.spawn([path, ...args], {
    cwd: options.cwd ?? (await testHome()),
    env: await cleanEnv(options.env),
    stdin: options.stdin === undefined ? 'ignore' : new TextEncoder().encode(options.stdin),
    stdout: 'pipe',
    stderr: 'pipe',
    timeout: options.timeoutMs ?? 30_000,
    killSignal: 'SIGKILL',
  })
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ])
  return { code: child.signalCode ? 128 + signalNumber(child.signalCode) : code, stdout, stderr }
}

function signalNumber(signal: string | number): number {
  if (typeof signal === 'number') return signal
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 0
}

/** A running `flight-power serve` started by `startServer`. */
export interface TestServer {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string
  /** A `power`-scope token (subject `test-power`). */
  powerToken: string
  /** A `read`-scope token (subject `test-read`). */
  readToken: string
  /** The `init --prefix` directory: `<prefix>/opt/flight/...`. */
  prefix: string
  /** `<prefix>/opt/flight/etc/power-server.conf`. */
  configFile: string
  /** `<prefix>/opt/flight/etc/power-server/topology.yaml`, the topology the server reads. */
  topologyFile: string
  /** `<prefix>/opt/flight/opt/power-client/etc/config.yaml`, written by init (power token). */
  clientConfigFile: string
  pid: number
  /** Everything the server has written to stdout and stderr so far. */
  logs(): string
  /**
   * Write `topologyYaml` (when given) to the topology file, send SIGHUP and wait until the
   * server logs that the reload succeeded or was refused.
   */
  reload(topologyYaml?: string): Promise<void>
  /** Send `signal` (default SIGTERM) and resolve with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number>
}

/** Options of `startServer`. */
export interface StartServerOptions {
  /** Topology YAML text written to the server's topology file before it starts. */
  topology: string
  /** Extra `power-server.conf` keys (e.g. `{ num_worker_commands: '4', log_level: 'debug' }`). */
  config?: Record<string, string>
  /** Extra environment of the server process. */
  env?: Record<string, string>
  /** Give up when the server is not healthy after this long; default 20 000 ms. */
  startTimeoutMs?: number
  /** Extra `init` arguments, e.g. `['--tls']` for an HTTPS server with a self-signed certificate. */
  init?: string[]
}

/** The log line `serve` prints once bound; the harness reads the port from it. */
const LISTENING = /listening on (https?:\/\/\S+)/
/** Log lines of a SIGHUP reload, successful or refused. */
const RELOADED = /topology (reloaded|reload refused)/g

/**
 * Start a real server from the built binary: `init --prefix <tmp>`, replace the topology,
 * add `config` keys, `serve --port 0 --bind 127.0.0.1`, wait for `/health`. Registers
 * nothing global: call `stop()` yourself (in `afterAll`).
 */
export async function startServer(options: StartServerOptions): Promise<TestServer> {
  const path = await buildBinary()
  const prefix = await mkdtemp(join(tmpdir(), 'flight-power-server-'))
  const init = await runCli(['init', '--prefix', prefix, ...(options.init ?? [])])
  if (init.code !== 0)
    throw new Error(`init failed (exit ${init.code}):\n${init.stdout}${init.stderr}`)
  const configFile = join(prefix, 'opt/flight/etc/power-server.conf')
  const topologyFile = join(prefix, 'opt/flight/etc/power-server/topology.yaml')
  const clientConfigFile = join(prefix, 'opt/flight/opt/power-client/etc/config.yaml')
  await writeFile(topologyFile, options.topology)
  // init writes power_on_rate=300; tests that do not measure the rate run unlimited.
  const extra = Object.entries({ power_on_rate: '0', ...options.config }).map(
    ([key, value]) => `${key}=${quote(value)}\n`,
  )
  await appendFile(configFile, `\n${extra.join('')}`)

  const mint = async (scope: string) => {
    const result = await runCli([
      'token',
      '--config',
      configFile,
      '--scope',
      scope,
      '--subject',
      `test-${scope}`,
    ])
    if (result.code !== 0) throw new Error(`token failed (exit ${result.code}): ${result.stderr}`)
    return result.stdout.trim()
  }
  const [powerToken, readToken] = await Promise.all([mint('power'), mint('read')])

  const workDir = join(prefix, 'work')
  await mkdir(workDir, { recursive: true })
  const child = Bun.spawn(
    [path, 'serve', '--config', configFile, '--port', '0', '--bind', '127.0.0.1'],
    {
      cwd: workDir,
      env: await cleanEnv(options.env),
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    },
  )
  let output = ''
  const changed = new Set<() => void>()
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) {
      output += decoder.decode(chunk, { stream: true })
      for (const notify of changed) notify()
    }
  }
  const pumped = Promise.all([pump(child.stdout), pump(child.stderr)])
  /** Resolve once `test(output)` holds; reject on timeout or exit. */
  const waitFor = <T>(test: (text: string) => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolvePromise, reject) => {
      const check = () => {
        const found = test(output)
        if (found !== undefined) {
          finish()
          resolvePromise(found)
        }
      }
      const timer = setTimeout(() => {
        finish()
        reject(new Error(`Timed out waiting for the server ${what}; its output:\n${output}`))
      }, timeoutMs)
      const finish = () => {
        clearTimeout(timer)
        changed.delete(check)
      }
      changed.add(check)
      void child.exited.then((code) => {
        setTimeout(() => {
          if (!changed.has(check)) return
          finish()
          reject(
            new Error(`The server exited (${code}) while waiting ${what}; its output:\n${output}`),
          )
        }, 50)
      })
      check()
    })

  const startTimeout = options.startTimeoutMs ?? 20_000
  let url: string
  try {
    url = (await waitFor((text) => LISTENING.exec(text)?.[1], startTimeout, 'to listen')).replace(
      /\/$/,
      '',
    )
    await waitHealthy(url, startTimeout)
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }

  return {
    url,
    powerToken,
    readToken,
    prefix,
    configFile,
    topologyFile,
    clientConfigFile,
    pid: child.pid,
    logs: () => output,
    async reload(topologyYaml?: string) {
      if (topologyYaml !== undefined) await writeFile(topologyFile, topologyYaml)
      const before = output.match(RELOADED)?.length ?? 0
      child.kill('SIGHUP')
      await waitFor(
        (text) => ((text.match(RELOADED)?.length ?? 0) > before ? true : undefined),
        30_000,
        'to reload',
      )
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      const code = await child.exited
      await pumped
      return child.signalCode ? 128 + signalNumber(child.signalCode) : code
    },
  }
}

async function waitHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      // Only whether it listens: the certificate is the tests' business.
      const response = await fetch(`${url}/health`, { tls: { rejectUnauthorized: false } })
      if (response.ok) return
    } catch {
      // not yet accepting connections
    }
    if (Date.now() > deadline) throw new Error(`The server at ${url} did not become healthy`)
    await Bun.sleep(50)
  }
}

/** Single-quote a config value as power-server's package wrote them. */
function quote(value: string): string {
  if (!value.includes("'")) return `'${value}'`
  return `"${value.replace(/["\\`$]/g, (char) => `\\${char}`)}"`
}

/** Read a file, or '' when it does not exist (handy for script logs written by test topologies). */
export async function readIfExists(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch {
    return ''
  }
}
