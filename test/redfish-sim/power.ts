/**
 * The power of one simulated ComputerSystem: what each ResetType does, and the
 * PoweringOn / PoweringOff window a real server spends between Off and On. Time comes from an
 * injected clock and is read lazily, so 1,000 BMCs need no timers and tests need no sleeps.
 */
import type { ResetType } from './options.ts'

export type PowerState = 'On' | 'Off' | 'PoweringOn' | 'PoweringOff'

/** Milliseconds since some origin; `Date.now` unless a test passes a fake. */
export type Clock = () => number

/** The power of one system. */
export class Power {
  #settled: 'On' | 'Off'
  #pending: { to: 'On' | 'Off'; at: number } | undefined
  readonly #clock: Clock
  readonly #transitionMs: number

  constructor(initial: 'On' | 'Off', transitionMs: number, clock: Clock) {
    this.#settled = initial
    this.#transitionMs = transitionMs
    this.#clock = clock
  }

  /** The PowerState a GET reports now. */
  state(): PowerState {
    this.#settle()
    if (this.#pending === undefined) return this.#settled
    return this.#pending.to === 'On' ? 'PoweringOn' : 'PoweringOff'
  }

  /** Force a state at once, for tests that arrange a scene. */
  set(state: 'On' | 'Off'): void {
    this.#settled = state
    this.#pending = undefined
  }

  /**
   * Carry out a reset. `ignoreGraceful` is the "OS" that does not react to ACPI requests
   * (GracefulShutdown, GracefulRestart, a short PushPowerButton while on).
   */
  reset(type: ResetType, ignoreGraceful: boolean): void {
    const now = this.state()
    // Where the system is heading counts as where it is: ForceOff while PoweringOn powers off.
    const on = now === 'On' || now === 'PoweringOn'
    switch (type) {
      case 'On':
      case 'ForceOn':
        if (!on) this.#goTo('On')
        return
      case 'ForceOff':
        if (on) this.#goTo('Off')
        return
      case 'GracefulShutdown':
        if (on && !ignoreGraceful) this.#goTo('Off')
        return
      case 'PushPowerButton':
        if (!on) this.#goTo('On')
        else if (!ignoreGraceful) this.#goTo('Off')
        return
      case 'ForceRestart':
      case 'PowerCycle':
        // A restart of a running server is On before and after; from Off it powers on.
        if (!on) this.#goTo('On')
        return
      case 'GracefulRestart':
      case 'Nmi':
        // On before and after when the OS obeys; nothing to restart when off.
        return
    }
  }

  #goTo(to: 'On' | 'Off'): void {
    if (this.#transitionMs === 0) {
      this.#settled = to
      this.#pending = undefined
    } else {
      this.#pending = { to, at: this.#clock() + this.#transitionMs }
    }
  }

  #settle(): void {
    if (this.#pending !== undefined && this.#clock() >= this.#pending.at) {
      this.#settled = this.#pending.to
      this.#pending = undefined
    }
  }
}
