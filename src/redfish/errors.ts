/** Stable codes of `RedfishError`. */
export type RedfishErrorCode =
  | 'ERR_REDFISH_SETTINGS'
  | 'ERR_REDFISH_CONNECT'
  | 'ERR_REDFISH_TLS'
  | 'ERR_REDFISH_TIMEOUT'
  | 'ERR_REDFISH_ABORTED'
  | 'ERR_REDFISH_HTTP'
  | 'ERR_REDFISH_REPLY'
  | 'ERR_REDFISH_UNSUPPORTED'
  | 'ERR_REDFISH_NOT_YET'

/**
 * Why a Redfish step failed. The message is what the node's result shows: the BMC's own
 * `@Message.ExtendedInfo` text when it sent one, else one sentence naming the BMC.
 */
export class RedfishError extends Error {
  readonly code: RedfishErrorCode
  /** The HTTP status when the BMC answered with an error. */
  readonly status?: number

  constructor(
    code: RedfishErrorCode,
    message: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
    this.name = 'RedfishError'
    this.code = code
    if (options.status !== undefined) this.status = options.status
  }
}

/**
 * The text of a Redfish error body: every `@Message.ExtendedInfo[].Message`, else
 * `error.message`; undefined when the body holds neither.
 */
export function extendedInfoText(body: unknown): string | undefined {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined
  const info =
    error?.['@Message.ExtendedInfo'] ?? (isRecord(body) ? body['@Message.ExtendedInfo'] : undefined)
  if (Array.isArray(info)) {
    const messages = info
      .map((entry) => (isRecord(entry) && typeof entry.Message === 'string' ? entry.Message : ''))
      .filter((text) => text !== '')
    if (messages.length > 0) return messages.join(' ')
  }
  return typeof error?.message === 'string' && error.message !== '' ? error.message : undefined
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
