import type { HonoRequest } from 'hono'
import { HostlistError, resolveTargets, type Targets, type Topology } from '../../topology/index.ts'
import { badRequest } from './http-error.ts'

/**
 * The nodes a power request names, from `?nodes=EXPR&groups=EXPR` as power-client 0.2 sends
 * them (brackets percent-encoded, commas raw; Hono decodes both). Repeated parameters are
 * joined as one comma list. Throws a 400 ApiError for no targets, bad syntax, an unknown
 * group or too many nodes.
 */
export function requestTargets(
  request: HonoRequest,
  topology: Topology,
  maxTargets: number,
): Targets {
  const nodes = joined(request.queries('nodes'))
  const groups = joined(request.queries('groups'))
  if (nodes === undefined && groups === undefined) {
    throw badRequest(
      'ERR_NO_TARGETS',
      'No targets: give ?nodes=EXPR (e.g. node[01-04]) and/or ?groups=NAME',
    )
  }
  try {
    return resolveTargets(topology, { nodes, groups }, maxTargets)
  } catch (error) {
    if (error instanceof HostlistError)
      throw badRequest(error.code, error.message, { cause: error })
    throw error
  }
}

function joined(values: string[] | undefined): string | undefined {
  const parts = (values ?? []).map((value) => value.trim()).filter((value) => value !== '')
  return parts.length > 0 ? parts.join(',') : undefined
}
