/**
 * The Redfish BMC simulator for tests and benchmarks: the one door of `test/redfish-sim`.
 * See README.md for the knobs and what each models.
 */
export { startSimulator } from './simulator.ts'
export type { SimulatedBmc, Simulator, SimulatorOptions } from './simulator.ts'
export { spawnSimulator } from './process.ts'
export type { BmcReport, SimulatorProcess } from './process.ts'
export { BOOT_TARGETS, RESET_TYPES, SimulatorError } from './options.ts'
export type { BmcOptions, BmcConfig, ResetType } from './options.ts'
export type { BmcEvent, RequestRecord } from './bmc.ts'
export type { SystemSnapshot, BootSettings } from './system.ts'
export type { PowerState, Clock } from './power.ts'
export { BASE_REGISTRY } from './messages.ts'
