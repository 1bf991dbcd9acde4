import type { Options, ProcessPromise } from 'zx'
import type { SpawnOptions } from 'node:child_process'
import { ShellChild, type OutputSinks } from './shell-child.ts'

/** A script zx has started, or failed to start (then `child` is undefined and `promise` says why) */
export interface SpawnedScript {
  readonly promise: ProcessPromise
  readonly child: ShellChild | undefined
}

/**
 * Starts `script` under the configured shell in its own process group, with exactly `env`,
 * sending its output to `output`
 */
export type SpawnScript = (
  script: string,
  env: Record<string, string>,
  output: OutputSinks,
) => SpawnedScript

/** Signals a whole process group; a group that is already gone is not an error */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // ESRCH: every process in the group has exited.
  }
}

// zx's own kill() walks the process tree with `ps`; our scripts lead their own groups instead.
function killGroup(pid: number | `${number}`, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  signalGroup(Number(pid), signal)
  return Promise.resolve()
}

/** Builds the zx call once per runner, so each run only adds its environment */
export function createZxShell(settings: { shell: string; cwd: string }): SpawnScript {
  const { $, quote } = loadZx()
  const base: Partial<Options> = {
    shell: settings.shell,
    cwd: settings.cwd,
    // zx's useBash() prefixes `set -euo pipefail;`: platform scripts run exactly as written.
    prefix: '',
    postfix: '',
    // zx sets its quote function only if bash was on PATH at import; nothing is quoted anyway.
    quote,
    quiet: true,
    verbose: false,
    nothrow: true,
    sync: false,
    halt: false,
    preferLocal: false,
    // A new session per run makes the script its own process group leader, so the whole group
    // can be signalled at once.
    detached: true,
    kill: killGroup,
    // The runner owns timeouts and cancellation; these must not leak in from a caller's within().
    timeout: undefined,
    signal: undefined,
    ac: undefined,
    input: undefined,
  }
  return (script, env, output) => {
    let child: ShellChild | undefined
    // zx calls spawn synchronously, inside $; the child it gets has no stdin and pipes its output
    // straight to `output`, so zx neither pipes nor stores any of it.
    const spawn = (command: string, _args: unknown, options: SpawnOptions) =>
      (child = new ShellChild(command, options, output))
    const promise = $({ ...base, env, spawn: spawn as unknown as Options['spawn'] })(
      asTemplate(script),
    )
    return { promise, child }
  }
}

/**
 * zx, loaded when the first runner is made: every client command imports this room through
 * the engine, and evaluating zx took most of a client's start-up (`--version` 56 ms, not 13).
 */
function loadZx(): typeof import('zx') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous lazy load; Bun bundles it into the binary
  return require('zx') as typeof import('zx')
}

// The script goes to zx as a template with no placeholders: verbatim, nothing interpolated.
function asTemplate(script: string): TemplateStringsArray {
  return Object.assign([script], { raw: [script] })
}
