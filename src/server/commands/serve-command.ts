import type { CAC } from 'cac'
import type { ServeOptions } from './serve.ts'

/** `flight-power serve`: the HTTP API, until SIGTERM. */
export function registerServeCommand(cli: CAC): void {
  cli
    .command(
      'serve',
      'Run the power server (HTTP API on port 6302; systemd unit flight-power-server)',
    )
    .option('--config <file>', 'Server config (default /opt/flight/etc/power-server.conf)')
    .option('--port <port>', 'Port to listen on, 0 for any free port (overrides port=)')
    .option('--bind <address>', 'Address to listen on (overrides bind_address=)')
    .example('flight-power serve --config /opt/flight/etc/power-server.conf')
    // Loaded on use: hono, the runner and the topology loader cost start-up time every client pays.
    .action(async (options: ServeOptions) => (await import('./serve.ts')).serve(options))
}
