/**
 * The simulator as a child process (main.ts), for end-to-end tests of the real binary and for
 * benchmarks: the BMCs then live outside the process under test, and their state and record
 * are read through the control API.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BmcEvent, RequestRecord } from './bmc.ts'
import type { BmcOptions } from './options.ts'
import type { SystemSnapshot } from './system.ts'

const MAIN = join(import.meta.dir, 'main.ts')

/** What the control API tells about one BMC. */
export interface BmcReport {
  readonly name: string
  readonly host: string
  readonly url: string
  readonly systems: readonly SystemSnapshot[]
  readonly events: readonly BmcEvent[]
  readonly requests: readonly RequestRecord[]
  readonly sessions: number
  readonly openConnections: number
}

/** A simulator running in a child process. */
export interface SimulatorProcess {
  readonly pid: number
  readonly caFile: string | null
  readonly controlUrl: string
  readonly bmcs: readonly { readonly name: string; readonly host: string; readonly url: string }[]
  /** State and record of one BMC. */
  report(name: string): Promise<BmcReport>
  setPower(name: string, state: 'On' | 'Off', system?: string): Promise<void>
  clearRecord(name: string): Promise<void>
  /** SIGTERM, then wait for it to exit. */
  stop(): Promise<void>
}

/** Start `main.ts` with these BMCs and wait for its ready line (up to `timeoutMs`, 30 s). */
export async function spawnSimulator(
  bmcs: readonly BmcOptions[],
  options: { tls?: boolean; timeoutMs?: number } = {},
): Promise<SimulatorProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'redfish-sim-proc-'))
  const config = join(dir, 'bmcs.json')
  writeFileSync(config, JSON.stringify({ tls: options.tls ?? true, bmcs }))
  const child = Bun.spawn([process.execPath, MAIN, '--config', config], {
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000)
  const reader = child.stdout.getReader()
  let text = ''
  try {
    while (!text.includes('\n')) {
      const { done, value } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
  } finally {
    clearTimeout(timer)
    reader.releaseLock()
  }
  if (!text.includes('\n')) {
    const stderr = await new Response(child.stderr).text()
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`Cannot start the Redfish simulator process: ${stderr.trim() || 'no output'}`)
  }
  const ready = JSON.parse(text.slice(0, text.indexOf('\n'))) as {
    control: string
    ca: string | null
    bmcs: SimulatorProcess['bmcs']
  }
  const control = ready.control
  const post = async (path: string, body?: unknown) => {
    const response = await fetch(`${control}${path}`, {
      method: 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`Simulator control ${path}: ${await response.text()}`)
  }
  return {
    pid: child.pid,
    caFile: ready.ca,
    controlUrl: control,
    bmcs: ready.bmcs,
    async report(name) {
      const response = await fetch(`${control}/bmcs/${encodeURIComponent(name)}`)
      if (!response.ok) throw new Error(`Simulator control: ${await response.text()}`)
      return (await response.json()) as BmcReport
    },
    setPower: (name, state, system) =>
      post(`/bmcs/${encodeURIComponent(name)}/power`, { state, system }),
    clearRecord: (name) => post(`/bmcs/${encodeURIComponent(name)}/clear`),
    async stop() {
      child.kill('SIGTERM')
      await child.exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
