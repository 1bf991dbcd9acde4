import { chmod, mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CliError, EXIT, fileErrorWords, readIfExists } from '../topology/index.ts'
import { SLURM_ACTIONS, type SlurmAction } from './types.ts'
import { programName, renderWrapper, type WrapperOptions } from './wrapper.ts'

/** Options of `writePrograms`. */
export interface ProgramsOptions extends WrapperOptions {
  /** Replace programs whose content differs from what would be written. */
  readonly force?: boolean
}

/** One program and what became of it. */
export interface ProgramFile {
  readonly action: SlurmAction
  readonly path: string
  readonly outcome: 'written' | 'replaced' | 'unchanged'
}

/**
 * Write the three programs into `dir` (created if missing), mode 0755: slurmctld turns power
 * saving off for a program that is group- or world-writable. Nothing is written when any
 * existing program differs and `force` is not set, so a site's edits are never lost half-way.
 */
export async function writePrograms(dir: string, options: ProgramsOptions): Promise<ProgramFile[]> {
  const planned = await Promise.all(
    SLURM_ACTIONS.map(async (action) => {
      const path = join(dir, programName(action))
      const text = renderWrapper(action, options)
      const old = await existing(path)
      return { action, path, text, old }
    }),
  )
  const changed = planned.filter((file) => file.old !== undefined && file.old !== file.text)
  if (changed.length > 0 && !options.force) {
    const names = changed.map((file) => `"${file.path}"`).join(', ')
    throw new CliError(
      `Not overwriting ${names}: ${changed.length === 1 ? 'it differs' : 'they differ'} from what would be written; use --force to replace`,
      {
        code: 'ERR_PROGRAM_EXISTS',
      },
    )
  }

  try {
    await mkdir(dir, { recursive: true, mode: 0o755 })
    const results: ProgramFile[] = []
    for (const file of planned) {
      if (file.old !== file.text) {
        // Write beside, then rename: slurmctld may be starting the old program right now.
        const temporary = `${file.path}.${process.pid}.tmp`
        await writeFile(temporary, file.text, { mode: 0o755 })
        await chmod(temporary, 0o755) // the umask may have taken bits away
        await rename(temporary, file.path)
      } else {
        await chmod(file.path, 0o755)
      }
      const outcome =
        file.old === undefined ? 'written' : file.old === file.text ? 'unchanged' : 'replaced'
      results.push({ action: file.action, path: file.path, outcome })
    }
    return results
  } catch (error) {
    throw new CliError(`Cannot write the programs into "${dir}": ${fileErrorWords(error)}`, {
      code: 'ERR_PROGRAM_WRITE',
      exitCode: EXIT.failed,
      cause: error,
    })
  }
}

/** The text of an existing program, undefined when there is none; unreadable is an error. */
async function existing(path: string): Promise<string | undefined> {
  try {
    return await readIfExists(path)
  } catch (error) {
    throw new CliError(`Cannot read "${path}": ${fileErrorWords(error)}`, { cause: error })
  }
}
