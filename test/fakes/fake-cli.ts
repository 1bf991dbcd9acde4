/**
 * Runs the default topology's scripts for test nodes through the real runner (src/exec), with
 * the fake `aws`, `az` and `ipmitool` of this folder first on PATH and their state in a
 * temporary directory.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createRunner } from '../../src/exec/index.ts'
import {
  actionParamsEnvironment,
  interpretExit,
  nodeEnvironment,
  parseTopology,
  SCRIPT_KEY,
  type Action,
  type ActionParams,
  type PowerState,
} from '../../src/topology/index.ts'
import { defaultTopologyWith, type NodeSpec } from './default-topology.ts'

/** What one action on one node came to, as the server would see it. */
export interface Outcome {
  readonly success: boolean
  readonly state?: PowerState
  readonly exitCode: number | null
  /** The line the server sends as the node's message: the last line of stderr. */
  readonly message: string
  readonly stdout: string
}

export interface FakeCli {
  /**
   * Run `action` for `node` with the platform's own script, environment and timeout, and the
   * action's parameters as the engine passes them (FLIGHT_POWER_IDENTIFY, ...).
   */
  run(action: Action, node: string, params?: ActionParams): Promise<Outcome>
  /** Write a file under the fakes' state directory (e.g. `i-0abc` → `running`). */
  write(path: string, content: string): void
  /** Delete a file under the fakes' state directory, if it exists. */
  unlink(path: string): void
  /** Read a file under the fakes' state directory, trimmed. */
  read(path: string): string
  /** The fakes' calls so far, one line each, arguments joined by spaces. */
  calls(): string[]
  remove(): void
}

/**
 * Set up the fakes and the default topology holding `nodes`. `serverEnv` stands for what
 * the server's own environment adds to every script's (e.g. IPMI_PASSWORD from its config).
 */
export function createFakeCli(
  nodes: Readonly<Record<string, NodeSpec>>,
  options: { serverEnv?: Readonly<Record<string, string>> } = {},
): FakeCli {
  const root = mkdtempSync(join(tmpdir(), 'flight-power-fake-cli-'))
  const bin = join(root, 'bin')
  const state = join(bin, 'state')
  mkdirSync(state, { recursive: true })
  for (const tool of ['aws', 'az', 'ipmitool']) cpSync(join(import.meta.dir, tool), join(bin, tool))
  writeFileSync(join(state, 'calls'), '')

  const topology = parseTopology(defaultTopologyWith(nodes))
  // The base environment the server gives scripts, with the fakes ahead of any real CLI.
  const runner = createRunner({
    concurrency: 4,
    cwd: root,
    baseEnv: {
      ...options.serverEnv,
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: root,
      LANG: 'C.UTF-8',
    },
  })

  return {
    async run(action, name, params = {}) {
      const node = topology.nodes.get(name)
      const platform = node && topology.platforms.get(node.platform)
      const script = platform?.scripts[SCRIPT_KEY[action]]
      if (!node || !platform || script === undefined)
        throw new Error(`No ${action} script for node "${name}"`)
      const result = await runner.run({
        key: name,
        script,
        env: { ...nodeEnvironment(node, platform), ...actionParamsEnvironment(params) },
        timeoutMs: platform.timeouts[SCRIPT_KEY[action]] * 1000,
      })
      const { success, state: power } = interpretExit(
        action,
        result.timedOut ? null : result.exitCode,
        platform.statusOffExitCode,
      )
      const lines = result.stderr.split('\n').filter((line) => line.trim() !== '')
      return {
        success,
        state: power,
        exitCode: result.exitCode,
        message: lines.at(-1) ?? '',
        stdout: result.stdout,
      }
    },
    write(path, content) {
      mkdirSync(dirname(join(state, path)), { recursive: true })
      writeFileSync(join(state, path), content)
    },
    unlink: (path) => rmSync(join(state, path), { force: true }),
    read: (path) => readFileSync(join(state, path), 'utf8').trim(),
    calls: () => readFileSync(join(state, 'calls'), 'utf8').split('\n').filter(Boolean),
    remove: () => rmSync(root, { recursive: true, force: true }),
  }
}
