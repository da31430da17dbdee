import { Command, CommanderError } from 'commander';
import { DatasetNotFoundError } from '../core/data/datasets';
import { InputFileError } from '../core/data/input-file';
import { RunError } from '../core/engine/runs';
import { ModelNotFoundError } from '../core/models/registry';
import { StoreError } from '../core/store/errors';
import { UserError } from '../core/errors';
import { commandModulesFor, COMMAND_MODULES } from './command-table';
import { UsageError } from './errors';
import { APP_VERSION } from '../core/version';
import { terminalSafe } from '../shared/display-text';

/** Known failures (UserError and the classes below) print one clear line; anything else is a bug and keeps its stack. */
const EXPECTED_ERRORS = [InputFileError, StoreError, DatasetNotFoundError, RunError, ModelNotFoundError];

/** The program with the commands `argv` needs (every command when `argv` is omitted); see command-table.ts. */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('medbench')
    .description('MedBench Local: run and inspect MIMIC-IV-Ext-MedicalBench with local models, offline')
    .version(APP_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const modules = await Promise.all((argv === undefined ? COMMAND_MODULES : commandModulesFor(argv)).map((entry) => entry.load()));
  for (const register of modules.flat()) register(program);
  addFullHelp(program);
  return program;
}

/** `medbench --help` lists every command with its options, not just the command names. */
function addFullHelp(program: Command): void {
  program.addHelpText('after', () => {
    // Nested commands (`models add`, `predictions import`) are listed with their full names.
    const leaves = (command: Command, prefix: string): { name: string; command: Command }[] =>
      command.commands.length === 0 ? [{ name: prefix, command }] : command.commands.flatMap((sub) => leaves(sub, `${prefix} ${sub.name()}`));
    const sections = program.commands
      .filter((command) => command.name() !== 'help')
      .flatMap((command) => leaves(command, command.name()))
      .map(({ name, command }) => {
        const args = command.registeredArguments.map((arg) => (arg.required ? `<${arg.name()}>` : `[${arg.name()}]`)).join(' ');
        const options = command.options.map((option) => `    ${option.flags.padEnd(26)} ${option.description}`);
        return [`  ${name}${args ? ` ${args}` : ''} — ${command.description()}`, ...options].join('\n');
      });
    return `\nCommands and their options:\n${sections.join('\n\n')}\n`;
  });
}

export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv, { from: 'user' });
    // A command may finish normally yet report a state, e.g. 130 for a run stopped by Ctrl-C.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are "errors" to commander but a success to the user.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? 0 : 2;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`medbench: ${error.message}\n(run with --help for usage)\n`);
      return 2;
    }
    if (error instanceof UserError || EXPECTED_ERRORS.some((type) => error instanceof type)) {
      // Messages can quote file content (a column name, a cell): control characters are shown, not obeyed.
      process.stderr.write(`medbench: error: ${terminalSafe((error as Error).message, { keepNewlines: true })}\n`);
      return 1;
    }
    process.stderr.write(`medbench: unexpected error (please report it): ${(error as Error)?.stack ?? String(error)}\n`);
    return 70;
  }
}

