import { X509Certificate, createPrivateKey } from 'node:crypto'
import type { Server } from 'bun'
import { fileErrorWords, readLimited } from '../../topology/index.ts'
import type { ServerConfig } from '../config/config.ts'
import { ServerConfigError } from '../config/errors.ts'

/** A certificate (chain) and its key, both PEM, checked to belong together. */
export interface TlsMaterial {
  readonly cert: string
  readonly key: string
  /** `notAfter` of the first certificate, for the log. */
  readonly validTo: string
}

/**
 * Read and check `tls_cert_file` and `tls_key_file`; undefined when TLS is not configured.
 * Throws ServerConfigError with one sentence for a missing file, a file without PEM, or a key that
 * does not match the certificate, so the server never listens on what it cannot serve.
 */
export async function loadTls(
  config: Pick<ServerConfig, 'tlsCertFile' | 'tlsKeyFile'>,
): Promise<TlsMaterial | undefined> {
  const { tlsCertFile: certFile, tlsKeyFile: keyFile } = config
  if (!certFile || !keyFile) return undefined
  const cert = await readPem('tls_cert_file', certFile)
  const key = await readPem('tls_key_file', keyFile)
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(cert)
  } catch (error) {
    throw new ServerConfigError(
      `Invalid tls_cert_file "${certFile}": it holds no PEM certificate`,
      {
        cause: error,
      },
    )
  }
  let privateKey: ReturnType<typeof createPrivateKey>
  try {
    privateKey = createPrivateKey(key)
  } catch (error) {
    throw new ServerConfigError(
      `Invalid tls_key_file "${keyFile}": it holds no unencrypted PEM private key`,
      { cause: error },
    )
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new ServerConfigError(
      `Invalid tls_key_file "${keyFile}": it is not the key of the certificate in tls_cert_file "${certFile}"`,
    )
  }
  return Object.freeze({ cert, key, validTo: certificate.validTo })
}

async function readPem(name: string, path: string): Promise<string> {
  try {
    return (await readLimited(path)).text
  } catch (error) {
    const reason = fileErrorWords(error)
    throw new ServerConfigError(`Cannot read ${name} "${path}": ${reason}`, { cause: error })
  }
}

/** The servers listening on one port: the current one, and older ones still answering. */
export interface Listeners {
  readonly port: number
  readonly current: () => Server<undefined>
  readonly pendingRequests: number
  /** Serve new connections from `next` (bound to the same port); the old server drains. */
  swap(next: Server<undefined>): void
  stop(closeActiveConnections?: boolean): Promise<void>
}

/**
 * Bun 1.4.5's `server.reload({ tls })` keeps the old certificate (checked with
 * `openssl s_client`), so a new certificate needs a new server: started with `reusePort` on the
 * same port, after which the old one stops accepting and finishes the requests it has.
 */
export function createListeners(first: Server<undefined>): Listeners {
  let current = first
  const draining = new Set<Server<undefined>>()
  const all = () => [current, ...draining]
  return {
    port: first.port ?? 0,
    current: () => current,
    get pendingRequests() {
      return all().reduce((sum, server) => sum + server.pendingRequests, 0)
    },
    swap(next) {
      const old = current
      current = next
      draining.add(old)
      void old.stop(false).then(() => draining.delete(old))
    },
    async stop(closeActiveConnections) {
      await Promise.all(all().map((server) => server.stop(closeActiveConnections)))
    },
  }
}
