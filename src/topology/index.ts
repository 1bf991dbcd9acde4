export {
  ACTIONS,
  BASIC_ACTIONS,
  DEFAULT_CYCLE_DELAY_SECONDS,
  DEFAULT_STATUS_OFF_EXIT_CODE,
  DEFAULT_TIMEOUT_SECONDS,
  EXIT_TRY_AGAIN,
  SCRIPT_KEY,
  SCRIPT_KEYS,
} from './types.ts'
export type { Action, Node, Platform, ScriptKey, Topology } from './types.ts'
export { TopologyError, formatProblem, type TopologyProblem } from './errors.ts'
export { loadTopology, parseTopology, type LoadOptions } from './load.ts'
export { checkTopologyFile, type CheckReport } from './check.ts'
export { ALL_GROUP } from './read-groups.ts'
export {
  DEFAULT_EXPANSION_LIMIT,
  HostlistError,
  compareNatural,
  expandHostlist,
  foldHostlist,
  isValidNodeName,
} from './hostlist.ts'
export { resolveTargets, type TargetRequest, type Targets } from './targets.ts'
export { EXIT, exitCodeFor, interpretExit, type NodeOutcome, type PowerState } from './outcome.ts'
export { MissingVariableError, nodeEnvironment, nodeWarnings } from './node-environment.ts'
export { CliError } from './cli-error.ts'
export { cliPath, cliSeconds, cliText } from './cli-values.ts'
export {
  ActionParamsError,
  BOOT_DEVICES,
  MAX_FORCE_AFTER_SECONDS,
  actionParamsBody,
  actionParamsEnvironment,
  parseActionParams,
  type ActionParams,
  type BootDevice,
} from './action-params.ts'
export { supportedActions } from './supported-actions.ts'
export { FileTooLargeError, MAX_FILE_BYTES, readLimited, type LimitedFile } from './read-limited.ts'
