import { readFile } from 'node:fs/promises'
import { fileErrorWords } from '../topology/index.ts'
import { ClientConfigError } from './errors.ts'

/** Where a CA file came from, and its PEM text. */
export interface TrustedCa {
  readonly path: string
  /** `"/path/config.yaml"`, `FLIGHT_POWER_CA_FILE` or `--ca-file`. */
  readonly source: string
  readonly pem: string
}

/** Read a CA certificate file; one sentence naming the file and the setting when it cannot be used. */
export async function readCa(path: string, source: string): Promise<TrustedCa> {
  let pem: string
  try {
    pem = await readFile(path, 'utf8')
  } catch (error) {
    const reason = fileErrorWords(error)
    throw new ClientConfigError(`Cannot read ca_file "${path}" (from ${source}): ${reason}`, {
      cause: error,
    })
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new ClientConfigError(
      `Invalid ca_file "${path}" (from ${source}): it holds no PEM certificate`,
    )
  return { path, source, pem }
}

/** fetch's `tls` option: the bundled public CAs plus `ca`, or nothing to keep fetch's default. */
export function fetchTls(ca: TrustedCa | undefined): { tls?: { ca: string[] } } {
  if (!ca) return {}
  // Loaded only here: node:tls costs every client start-up about 10 ms, and most never need it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous lazy load
  const { rootCertificates } = require('node:tls') as typeof import('node:tls')
  return { tls: { ca: [...rootCertificates, ca.pem] } }
}

/** Error codes of a certificate that could not be verified (BoringSSL's and Node's names). */
export function isCertificateError(code: string): boolean {
  return /CERT|SSL|TLS|UNABLE_TO_VERIFY|SELF_SIGNED|UNABLE_TO_GET_ISSUER/.test(code)
}

/** Why the server's certificate was refused, and the setting that fixes it. */
export function certificateAdvice(code: string, ca: TrustedCa | undefined): string {
  const trusted = ca
    ? `ca_file "${ca.path}" (from ${ca.source}) does not vouch for it`
    : 'no ca_file is set'
  return `its TLS certificate could not be verified (${code}; ${trusted}): set ca_file in the client config, FLIGHT_POWER_CA_FILE or --ca-file to the server's CA certificate (for "flight-power init --tls", its tls/server.crt)`
}
