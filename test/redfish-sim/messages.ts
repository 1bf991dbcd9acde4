/**
 * Redfish error bodies built from DMTF's Base message registry: the same `error.code`,
 * `error.message` and `@Message.ExtendedInfo` shape real BMCs send, so clients that surface a
 * BMC's message (ours, sushy, redfishtool) see text as they would from bmcweb or iDRAC.
 */

/** The registry version the simulated BMCs claim; message ids read `Base.1.15.0.<Key>`. */
export const BASE_REGISTRY = 'Base.1.15.0'

interface Template {
  readonly text: string
  readonly severity: 'OK' | 'Warning' | 'Critical'
  readonly resolution: string
}

// Texts of DMTF's Base registry (Base.1.x), with %n filled in from the arguments.
const TEMPLATES = {
  Success: {
    text: 'The request completed successfully.',
    severity: 'OK',
    resolution: 'None.',
  },
  Created: {
    text: 'The resource was created successfully.',
    severity: 'OK',
    resolution: 'None.',
  },
  NoValidSession: {
    text: 'There is no valid session established with the implementation.',
    severity: 'Critical',
    resolution: 'Establish a session before attempting any operations.',
  },
  ResourceAtUriUnauthorized: {
    text: 'While accessing the resource at %1, the service received an authorization error %2.',
    severity: 'Critical',
    resolution: 'Ensure that the appropriate access is provided for the service.',
  },
  ResourceMissingAtURI: {
    text: 'The resource at the URI %1 was not found.',
    severity: 'Critical',
    resolution: 'Place a valid resource at the URI or correct the URI and resubmit the request.',
  },
  OperationNotAllowed: {
    text: 'The HTTP method is not allowed on this URI.',
    severity: 'Critical',
    resolution: 'None.',
  },
  MalformedJSON: {
    text: 'The request body submitted was malformed JSON and could not be parsed by the receiving service.',
    severity: 'Critical',
    resolution: 'Ensure that the request body is valid JSON and resubmit the request.',
  },
  ActionParameterMissing: {
    text: 'The action %1 requires the parameter %2 to be present in the request body.',
    severity: 'Critical',
    resolution: 'Supply the action with the required parameter in the request body.',
  },
  ActionParameterUnknown: {
    text: 'The action %1 was submitted with the invalid parameter %2.',
    severity: 'Warning',
    resolution: 'Correct the invalid parameter and resubmit the request.',
  },
  ActionParameterValueNotInList: {
    text: "The value '%1' for the parameter %2 in the action %3 is not in the list of acceptable values.",
    severity: 'Warning',
    resolution:
      'Choose a value from the enumeration list that the implementation can support and resubmit the request.',
  },
  PropertyUnknown: {
    text: 'The property %1 is not in the list of valid properties for the resource.',
    severity: 'Warning',
    resolution: 'Remove the unknown property from the request body and resubmit the request.',
  },
  PropertyMissing: {
    text: 'The property %1 is a required property and must be included in the request.',
    severity: 'Warning',
    resolution:
      'Ensure that the property is in the request body and has a valid value and resubmit the request if the operation failed.',
  },
  PropertyNotWritable: {
    text: 'The property %1 is a read only property and cannot be assigned a value.',
    severity: 'Warning',
    resolution: 'Remove the property from the request body and resubmit the request.',
  },
  PropertyValueNotInList: {
    text: "The value '%1' for the property %2 is not in the list of acceptable values.",
    severity: 'Warning',
    resolution:
      'Choose a value from the enumeration list that the implementation can support and resubmit the request.',
  },
  PropertyValueTypeError: {
    text: "The value '%1' for the property %2 is not a type that the property can accept.",
    severity: 'Warning',
    resolution: 'Correct the value for the property in the request body and resubmit the request.',
  },
  PreconditionFailed: {
    text: 'The ETag supplied did not match the ETag required to change this resource.',
    severity: 'Critical',
    resolution: 'Try the operation again using the appropriate ETag.',
  },
  PreconditionRequired: {
    text: 'A precondition header or annotation is required to change this resource.',
    severity: 'Critical',
    resolution:
      'Try the operation again using an If-Match or If-None-Match header and appropriate ETag.',
  },
  ServiceTemporarilyUnavailable: {
    text: 'The service is temporarily unavailable.  Retry in %1 seconds.',
    severity: 'Critical',
    resolution: 'Wait for the indicated retry duration and retry the operation.',
  },
} satisfies Record<string, Template>

/** A message key of the Base registry the simulator can send. */
export type MessageKey = keyof typeof TEMPLATES

/** One `@Message.ExtendedInfo` entry, as in the Message schema. */
export interface ExtendedInfo {
  readonly '@odata.type': string
  readonly MessageId: string
  readonly Message: string
  readonly MessageArgs: readonly string[]
  readonly MessageSeverity: string
  readonly Resolution: string
}

/** Build one ExtendedInfo entry, the registry text with %1..%n replaced by `args`. */
export function message(key: MessageKey, args: readonly string[] = []): ExtendedInfo {
  const template: Template = TEMPLATES[key]
  const text = template.text.replace(/%(\d+)/g, (_, n: string) => args[Number(n) - 1] ?? '')
  return {
    '@odata.type': '#Message.v1_1_1.Message',
    MessageId: `${BASE_REGISTRY}.${key}`,
    Message: text,
    MessageArgs: args,
    MessageSeverity: template.severity,
    Resolution: template.resolution,
  }
}

/** The JSON body of a Redfish error response (DSP0266 "Error responses"). */
export function errorBody(key: MessageKey, args: readonly string[] = []): object {
  const info = message(key, args)
  return {
    error: {
      code: info.MessageId,
      message: info.Message,
      '@Message.ExtendedInfo': [info],
    },
  }
}
