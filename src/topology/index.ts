export {
  ACTIONS,
  BASIC_ACTIONS,
  BUILTIN_DRIVERS,
  DEFAULT_CYCLE_DELAY_SECONDS,
  DEFAULT_RANGED_CHUNK,
  DEFAULT_STATUS_OFF_EXIT_CODE,
  DEFAULT_SCRIPT_TIMEOUT_SECONDS,
  EXIT_TRY_AGAIN,
  SCRIPT_KEY,
  SCRIPT_KEYS,
} from './types.ts'
export type { Action, BuiltinDriver, Node, Platform, ScriptKey, Topology } from './types.ts'
export { TopologyError, formatProblem, locateProblem, type TopologyProblem } from './errors.ts'
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
export { MissingVariableError, nodeEnvironment } from './node-environment.ts'
export { CliError } from './cli-error.ts'
export { errorMessage, FlightPowerError } from './flight-power-error.ts'
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
export {
  FileTooLargeError,
  MAX_FILE_BYTES,
  fileErrorWords,
  readIfExists,
  readLimited,
  type LimitedFile,
} from './read-limited.ts'
export { isCompiledBinary } from './compiled.ts'
export { editDistance, nearest, suggest } from './suggest.ts'
export { missingNodeMessage } from './missing.ts'
export { nodeWarnings, topologyWarnings } from './warnings.ts'
