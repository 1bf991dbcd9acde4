import type { CAC } from 'cac'
import { checkTopologyFile, EXIT } from '../src/topology/index.ts'
import { defaultTopologyPath, loadServerConfig } from '../src/server/index.ts'

/** `flight-power check [FILE]`: validate a topology without starting anything. */
export function registerCheckCommand(cli: CAC): void {
  cli
    .command('check [file]', 'Validate a topology: print a summary, or every error with file:line')
    .option('--config <file>', 'Server config naming the topology (when FILE is not given)')
    .example('flight-power check /opt/flight/etc/power-server/topology.yaml')
    .action(async (file: string | undefined, options: { config?: string }) => {
      const path = file ?? (await defaultTopologyPath(options.config))
      const report = await checkTopologyFile(path)
      const write = report.ok ? console.log : console.error
      for (const line of report.lines) write(line)
      // The server config's own warnings (a near miss such as prot=6302), when it was named.
      if (options.config !== undefined) {
        const config = await loadServerConfig({ configFile: options.config, env: {} })
        for (const warning of config.warnings) write(`warning: ${warning}`)
      }
      return report.ok ? EXIT.ok : EXIT.usage
    })
}
