import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandModulesFor, COMMAND_MODULES } from '../../src/cli/command-table';
import { buildProgram } from '../../src/cli/main.js';

describe('the command table', () => {
  it('names exactly the top-level commands each module registers', async () => {
    for (const entry of COMMAND_MODULES) {
      const program = new Command('medbench');
      for (const register of await entry.load()) register(program);
      expect(program.commands.map((command) => command.name())).toEqual(entry.names);
    }
    const names = COMMAND_MODULES.flatMap((entry) => entry.names);
    expect(new Set(names).size).toBe(names.length);
  });

  it('loads no command for --version, the named one for a command, every one for help or an unknown name', () => {
    expect(commandModulesFor(['--version'])).toEqual([]);
    expect(commandModulesFor(['-V'])).toEqual([]);
    expect(commandModulesFor(['--version', '--help'])).toBe(COMMAND_MODULES);
    expect(commandModulesFor(['score', '--json', 'a'])).toEqual([COMMAND_MODULES.find((entry) => entry.names.includes('score'))]);
    expect(commandModulesFor([])).toBe(COMMAND_MODULES);
    expect(commandModulesFor(['help', 'run'])).toBe(COMMAND_MODULES);
    expect(commandModulesFor(['rn'])).toBe(COMMAND_MODULES);
  });

  it('builds the same program for a named command as the full one does, for that command', async () => {
    const full = await buildProgram();
    const one = await buildProgram(['models', 'list']);
    expect(one.commands.map((command) => command.name())).toEqual(['models']);
    const models = (program: Command) => program.commands.find((command) => command.name() === 'models')!;
    expect(models(one).commands.map((command) => command.name())).toEqual(models(full).commands.map((command) => command.name()));
  });
});
