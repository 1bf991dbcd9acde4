/**
 * Redfish, built in (SPEC §11): the driver of `driver: redfish` platforms, and
 * `flight-power redfish probe BMC`. Speaks HTTPS with `fetch`: no curl, jq or python.
 */
export {
  createRedfishDriver,
  type RedfishDriver,
  type RedfishDriverOptions,
  type RedfishLog,
} from './driver.ts'
export { RedfishError, type RedfishErrorCode } from './errors.ts'
export { registerRedfishCommands } from './command.ts'
