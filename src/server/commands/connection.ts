import type { ConnectionBindings } from '../http/app-env.ts'

/** The parts of Bun's server a request's bindings use. */
type BunServer = Pick<ReturnType<typeof Bun.serve>, 'requestIP' | 'timeout'>

/**
 * What the app may know of and do to `request`'s connection: the peer address, and lifting
 * the idle timeout (Bun's `server.timeout` sets it for the whole connection, and the setting
 * outlives the request, so `holdOpen` returns a function that puts `idleTimeoutSeconds` back).
 */
export function connectionBindings(
  request: Request,
  server: BunServer,
  idleTimeoutSeconds: number,
): ConnectionBindings {
  return {
    peer: peerAddress(server.requestIP(request)?.address),
    holdOpen() {
      server.timeout(request, 0)
      return () => server.timeout(request, idleTimeoutSeconds)
    },
  }
}

/** An IPv4 client on a dual-stack socket as `192.0.2.1`, not `::ffff:192.0.2.1`. */
export function peerAddress(address: string | undefined): string | undefined {
  return address?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')
}
