import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { CliError, EXIT } from '../../topology/index.ts'

/** Days a certificate of `init --tls` is valid: ten years, as long as the longest token. */
export const SELF_SIGNED_DAYS = 3650

/** The names a self-signed certificate should carry: this host's, loopback, and `extra`. */
export function certificateNames(extra: readonly string[]): string[] {
  for (const name of extra) {
    if (!/^[A-Za-z0-9.:*-]{1,253}$/.test(name))
      throw new CliError(`Invalid --tls-name "${name}": expected a host name or IP address`)
  }
  return [...new Set([...extra, hostname(), 'localhost', '127.0.0.1', '::1'])]
}

/**
 * A self-signed P-256 certificate and its PKCS#8 key, PEM, made by the `openssl` command.
 * openssl rather than an npm package: @peculiar/x509, the pure-TypeScript choice, needs a
 * `reflect-metadata` polyfill loaded globally (through tsyringe) before it imports.
 */
export async function selfSigned(names: readonly string[]): Promise<{ cert: string; key: string }> {
  // Loaded here, not at start-up: node:net costs every client command ~15 ms to load.
  const { isIP } = await import('node:net')
  const dir = await mkdtemp(join(tmpdir(), 'flight-power-tls-'))
  try {
    const san = names.map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(',')
    const args = [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      String(SELF_SIGNED_DAYS),
      '-subj',
      `/CN=${names[0]}`,
      '-addext',
      `subjectAltName=${san}`,
      '-addext',
      'extendedKeyUsage=serverAuth',
    ]
    let child: ReturnType<typeof Bun.spawn>
    try {
      child = Bun.spawn(['openssl', ...args], { stdout: 'ignore', stderr: 'pipe', stdin: 'ignore' })
    } catch (error) {
      throw new CliError(
        'Cannot make a TLS certificate: the "openssl" command is not installed (install the openssl package, or set tls_cert_file and tls_key_file to a certificate of your own)',
        { cause: error, exitCode: EXIT.failed, code: 'ERR_OPENSSL' },
      )
    }
    const [stderr, code] = await Promise.all([
      new Response(child.stderr as ReadableStream).text(),
      child.exited,
    ])
    if (code !== 0) {
      throw new CliError(
        `Cannot make a TLS certificate: openssl failed (exit ${code}): ${stderr.trim().split('\n').pop()}`,
        { exitCode: EXIT.failed, code: 'ERR_OPENSSL' },
      )
    }
    const [cert, key] = await Promise.all([
      readFile(join(dir, 'cert.pem'), 'utf8'),
      readFile(join(dir, 'key.pem'), 'utf8'),
    ])
    return { cert, key }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
