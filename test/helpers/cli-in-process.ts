/**
 * Some `medbench` commands run in this process, for tests that call many of them: a child process
 * costs seconds on a loaded machine. Errors map to exit codes as in src/cli/main.ts; tests that must
 * see the real entry point (signals, TTY, exit codes of the binary) use runMedbench instead.
 */
import { Command, CommanderError } from 'commander';
import { UserError } from '../../src/core/errors';
import { RunError } from '../../src/core/engine/runs';
import { UsageError } from '../../src/cli/errors';
import type { CliResult } from './cli';

export async function runInProcess(register: readonly ((program: Command) => void)[], args: readonly string[]): Promise<CliResult> {
  const program = new Command('medbench').exitOverride();
  for (const add of register) add(program);
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  const exitCode = process.exitCode;
  let code = 0;
  try {
    await program.parseAsync([...args], { from: 'user' });
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) code = 2;
    else if (error instanceof UsageError) {
      code = 2;
      stderr += `medbench: ${error.message}\n`;
    } else if (error instanceof UserError || error instanceof RunError) {
      code = 1;
      stderr += `medbench: error: ${error.message}\n`;
    } else throw error;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = exitCode;
  }
  return { code, stdout, stderr };
}
