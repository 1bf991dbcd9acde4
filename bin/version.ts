import pkg from '../package.json' with { type: 'json' }

// The build injects the release version (with the commit) through `--define`.
declare const FLIGHT_POWER_VERSION: string | undefined

/** The version `--version` prints; a source checkout says it is a development build. */
export const VERSION =
  typeof FLIGHT_POWER_VERSION === 'string' ? FLIGHT_POWER_VERSION : `${pkg.version}-dev`
