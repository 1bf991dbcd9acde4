import { $, quote, type Options, type ProcessPromise } from 'zx'

/** Starts `script` under the configured shell in its own process group, with exactly `env` */
export type SpawnScript = (script: string, env: Record<string, string>) => ProcessPromise

/** Store handed to zx: the runner reads the child's streams itself, bounded, so zx keeps nothing */
class Discard extends Array<string | Buffer> {
  override push(..._chunks: (string | Buffer)[]): number {
    return 0
  }
}

const DISCARD = { stdout: new Discard(), stderr: new Discard(), stdall: new Discard() }

/** Signals a whole process group; a group that is already gone is not an error */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // ESRCH: every process in the group has exited.
  }
}

// zx's own kill() walks the process tree with `ps`; our scripts lead their own groups instead.
async function killGroup(pid: number | `${number}`, signal: NodeJS.Signals = 'SIGTERM') {
  signalGroup(Number(pid), signal)
}

/** Builds the zx call once per runner, so each run only adds its environment */
export function createZxShell(settings: { shell: string; cwd: string }): SpawnScript {
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
    // can be signalled at once; no stdin, so a script that reads fails instead of hanging.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    store: DISCARD,
    kill: killGroup,
    // The runner owns timeouts and cancellation; these must not leak in from a caller's within().
    timeout: undefined,
    signal: undefined,
    ac: undefined,
    input: undefined,
  }
  return (script, env) => $({ ...base, env })(asTemplate(script))
}

// The script goes to zx as a template with no placeholders: verbatim, nothing interpolated.
function asTemplate(script: string): TemplateStringsArray {
  return Object.assign([script], { raw: [script] })
}
