import { isCompiledBinary } from '../topology/index.ts'
import type { SlurmAction } from './types.ts'

/** What a generated program bakes in. */
export interface WrapperOptions {
  /** How to run this flight-power, every word an absolute path: `[binary]` or `[bun, script]`. */
  readonly command: readonly string[]
  readonly config: string
  readonly log?: string
  readonly timeoutSeconds?: number
}

/** The file name Slurm's ResumeProgram & co. point at for each action. */
export function programName(action: SlurmAction): string {
  return `flight-power-${action}`
}

/**
 * The `argv` that runs this flight-power again. A compiled binary is its own
 * `process.execPath`; under `bun bin/flight-power.ts` that is bun, which needs the script.
 */
export function selfCommand(): string[] {
  return isCompiledBinary() ? [process.execPath] : [process.execPath, Bun.main]
}

/**
 * The `#!/bin/sh` program slurm.conf names. Slurm allows no arguments in those settings,
 * so this passes them; it runs with no PATH or HOME, hence absolute paths only, and `exec`
 * so that the process Slurm started is flight-power itself.
 */
export function renderWrapper(action: SlurmAction, options: WrapperOptions): string {
  const words = [
    ...options.command,
    'slurm',
    action,
    '--config',
    options.config,
    ...(options.log ? ['--log', options.log] : []),
    ...(options.timeoutSeconds ? ['--timeout', String(options.timeoutSeconds)] : []),
  ]
  return [
    '#!/bin/sh',
    `# Slurm ${SETTING[action]}, written by "flight-power slurm programs". Slurm passes one`,
    '# argument, a hostlist such as gpu[1-2],node[02,04]; calls are logged, not printed.',
    '# Regenerate it with "flight-power slurm programs DIR --force" rather than editing it.',
    `exec ${words.map(shellQuote).join(' ')} "$1"`,
    '',
  ].join('\n')
}

/** The slurm.conf setting each program is for. */
export const SETTING: Record<SlurmAction, string> = {
  resume: 'ResumeProgram',
  suspend: 'SuspendProgram',
  'resume-fail': 'ResumeFailProgram',
}

/** One word for sh: bare when it is plainly safe, else single-quoted. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word
  return `'${word.replaceAll("'", `'\\''`)}'`
}
