import { resolveConfig, type ClientConfig, type ConfigFlags } from '../config.ts'
import { createRequest, type Request } from '../http.ts'
import type { ClientIo } from '../io.ts'
import { cliText } from '../../topology/index.ts'

/** Flags every client command takes. */
export interface CommonOptions extends ConfigFlags {
  readonly json?: boolean
  readonly debug?: boolean
}

/** A resolved configuration and the request function built from it. */
export interface Session {
  readonly config: ClientConfig
  readonly request: Request
}

/** Resolve the configuration and prepare requests; with `--debug`, say where settings came from. */
export async function openSession(options: CommonOptions, io: ClientIo): Promise<Session> {
  const config = await resolveConfig(stringFlags(options), { env: io.env })
  const debug = options.debug
    ? (line: string) => void io.stderr.write(`debug: ${line}\n`)
    : undefined
  debug?.(
    `server ${config.baseUrl} (from ${config.urlSource}), token from ${config.tokenSource}, timeout ${config.timeoutMs / 1000}s${config.ca ? `, CA "${config.ca.path}" from ${config.ca.source}` : ''}`,
  )
  return { config, request: createRequest(config, { fetch: io.fetch, debug }) }
}

// cac (through mri) turns numeric-looking values into numbers; a URL or token is always text.
function stringFlags(options: CommonOptions): ConfigFlags {
  const text = (value: unknown, flag: string) => (value === true ? undefined : cliText(value, flag))
  return {
    url: text(options.url, '--url'),
    token: text(options.token, '--token'),
    config: text(options.config, '--config'),
    timeout: options.timeout,
    caFile: text(options.caFile, '--ca-file'),
  }
}
