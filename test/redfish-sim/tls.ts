/**
 * A throwaway certificate authority and a server certificate for 127.0.0.1 and localhost,
 * made with the `openssl` CLI in a temp dir: BMCs ship self-signed certificates, and clients
 * must be given the CA (or told to skip checks) to talk to them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SimulatorError } from './options.ts'

/** Files and PEM text of a generated CA and server certificate. */
export interface TlsMaterial {
  readonly dir: string
  /** The CA certificate (PEM) a client must trust. */
  readonly caFile: string
  readonly cert: string
  readonly key: string
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

/** Generate the CA and the server certificate; a few tens of milliseconds. */
export function generateTls(): TlsMaterial {
  if (Bun.which('openssl') === null)
    throw new SimulatorError('ERR_SIM_TLS', 'Cannot generate certificates: openssl is not on PATH')
  const dir = mkdtempSync(join(tmpdir(), 'redfish-sim-tls-'))
  const file = (name: string) => join(dir, name)
  writeFileSync(
    file('server.ext'),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid,issuer',
      '',
    ].join('\n'),
  )
  openssl(
    ['req', '-x509', ...EC, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '7'],
    ['-subj', '/CN=flight-power test BMC CA'],
    ['-addext', 'basicConstraints=critical,CA:TRUE'],
    ['-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
  )
  openssl(
    ['req', '-new', ...EC, '-keyout', file('server.key'), '-out', file('server.csr')],
    ['-subj', '/CN=localhost'],
  )
  openssl(
    ['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key')],
    ['-CAcreateserial', '-out', file('server.pem'), '-days', '7', '-extfile', file('server.ext')],
  )
  return {
    dir,
    caFile: file('ca.pem'),
    cert: readFileSync(file('server.pem'), 'utf8'),
    key: readFileSync(file('server.key'), 'utf8'),
  }
}

function openssl(...parts: string[][]): void {
  const args = parts.flat()
  const run = Bun.spawnSync(['openssl', ...args], { stdout: 'pipe', stderr: 'pipe' })
  if (run.exitCode !== 0)
    throw new SimulatorError(
      'ERR_SIM_TLS',
      `Cannot generate certificates: openssl ${args[0]} exited ${run.exitCode}: ${run.stderr.toString().trim()}`,
    )
}
