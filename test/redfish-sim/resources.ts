/**
 * The fixed resources of a simulated service (ServiceRoot, collections, SessionService,
 * ActionInfo, Manager), shaped on DMTF's public mockups with only the properties a
 * power-management client reads.
 */
import type { BmcConfig } from './options.ts'

/** A session as the SessionService holds it. */
export interface Session {
  readonly id: string
  readonly token: string
  readonly user: string
}

export const SESSIONS = '/redfish/v1/SessionService/Sessions'

/** `GET /redfish`: the protocol versions. */
export function versions(): object {
  return { v1: '/redfish/v1/' }
}

export function serviceRoot(config: BmcConfig, uuid: string): object {
  return {
    '@odata.id': '/redfish/v1/',
    '@odata.type': '#ServiceRoot.v1_15_0.ServiceRoot',
    Id: 'RootService',
    Name: 'Root Service',
    RedfishVersion: config.indicator === 'IndicatorLED' ? '1.6.0' : '1.15.0',
    UUID: uuid,
    Product: 'flight-power Redfish BMC simulator',
    Vendor: 'flight-power',
    Systems: { '@odata.id': '/redfish/v1/Systems' },
    Managers: { '@odata.id': '/redfish/v1/Managers' },
    SessionService: { '@odata.id': '/redfish/v1/SessionService' },
    Links: { Sessions: { '@odata.id': SESSIONS } },
  }
}

/** The OData service document some clients read first. */
export function odata(): object {
  return {
    '@odata.context': '/redfish/v1/$metadata',
    value: [
      { name: 'Service', kind: 'Singleton', url: '/redfish/v1/' },
      { name: 'Systems', kind: 'Singleton', url: '/redfish/v1/Systems' },
      { name: 'SessionService', kind: 'Singleton', url: '/redfish/v1/SessionService' },
    ],
  }
}

export function collection(path: string, type: string, name: string, members: string[]): object {
  return {
    '@odata.id': path,
    '@odata.type': `#${type}.${type}`,
    Name: name,
    'Members@odata.count': members.length,
    Members: members.map((id) => ({ '@odata.id': id })),
  }
}

/** The ActionInfo a service links from `@Redfish.ActionInfo` instead of AllowableValues. */
export function resetActionInfo(path: string, config: BmcConfig): object {
  return {
    '@odata.id': path,
    '@odata.type': '#ActionInfo.v1_3_0.ActionInfo',
    Id: 'ResetActionInfo',
    Name: 'Reset Action Info',
    Parameters: [
      {
        Name: 'ResetType',
        Required: true,
        DataType: 'String',
        AllowableValues: config.resetTypes,
      },
    ],
  }
}

export function sessionService(): object {
  return {
    '@odata.id': '/redfish/v1/SessionService',
    '@odata.type': '#SessionService.v1_1_8.SessionService',
    Id: 'SessionService',
    Name: 'Session Service',
    Status: { State: 'Enabled', Health: 'OK' },
    ServiceEnabled: true,
    SessionTimeout: 1800,
    Sessions: { '@odata.id': SESSIONS },
  }
}

export function session(s: Session): object {
  return {
    '@odata.id': `${SESSIONS}/${s.id}`,
    '@odata.type': '#Session.v1_6_0.Session',
    Id: s.id,
    Name: 'User Session',
    UserName: s.user,
  }
}

export function manager(): object {
  return {
    '@odata.id': '/redfish/v1/Managers/bmc',
    '@odata.type': '#Manager.v1_17_0.Manager',
    Id: 'bmc',
    Name: 'Simulated BMC',
    ManagerType: 'BMC',
    Status: { State: 'Enabled', Health: 'OK' },
  }
}
