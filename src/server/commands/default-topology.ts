// Embedded at build time, so `init` works from the single binary with no files beside it.
import text from '../../../etc/topology.yaml' with { type: 'text' }

/** The default topology `flight-power init` installs (etc/topology.yaml). */
export const DEFAULT_TOPOLOGY = text as string
