import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Every top-level command and the module that registers it, in the order `--help` lists them. A module
 * is imported only when its command runs (or for the full help): the run, plan and serve commands pull
 * in the backend registry's schemas, which cost more to load than the rest of the start-up together.
 * test/cli/command-table.test.ts checks these names against what each module registers.
 */
export const COMMAND_MODULES: readonly { names: readonly string[]; load: () => Promise<readonly Register[]> }[] = [
  { names: ['import'], load: async () => [(await import('./commands/import')).registerImport] },
  { names: ['pairs', 'datasets'], load: async () => [(await import('./commands/pairs')).registerPairs] },
  { names: ['build', 'builds'], load: async () => [(await import('./commands/build')).registerBuild] },
  { names: ['annotate'], load: async () => [(await import('./commands/annotate')).registerAnnotate] },
  { names: ['models'], load: async () => [(await import('./commands/models')).registerModels] },
  { names: ['run'], load: async () => [(await import('./commands/run')).registerRun] },
  { names: ['plan'], load: async () => [(await import('./commands/plan')).registerPlan] },
  {
    names: ['runs', 'score'],
    load: async () => {
      const runs = await import('./commands/runs');
      return [runs.registerRuns, runs.registerRunsManagement];
    },
  },
  { names: ['predictions'], load: async () => [(await import('./commands/predictions')).registerPredictions] },
  { names: ['compare'], load: async () => [(await import('./commands/compare')).registerCompare] },
  { names: ['export'], load: async () => [(await import('./commands/export')).registerExport] },
  { names: ['report'], load: async () => [(await import('./commands/report')).registerReport] },
  { names: ['demo'], load: async () => [(await import('./commands/demo')).registerDemo] },
  { names: ['backup'], load: async () => [(await import('./commands/backup')).registerBackup] },
  { names: ['check'], load: async () => [(await import('./commands/check')).registerCheck] },
  { names: ['doctor'], load: async () => [(await import('./commands/doctor')).registerDoctor] },
  { names: ['audit'], load: async () => [(await import('./commands/audit')).registerAudit] },
  { names: ['serve'], load: async () => [(await import('./commands/serve')).registerServe] },
];

/**
 * The command modules these arguments need: none for a bare `--version`, the one named command's module,
 * or all of them (no command, `help`, an unknown or misspelt command: help and suggestions list every command).
 */
export function commandModulesFor(argv: readonly string[]): typeof COMMAND_MODULES {
  const command = argv.find((arg) => !arg.startsWith('-'));
  if (command === undefined && argv.some((arg) => arg === '-V' || arg === '--version') && !argv.some((arg) => arg === '-h' || arg === '--help')) return [];
  const named = COMMAND_MODULES.find((entry) => command !== undefined && entry.names.includes(command));
  return named ? [named] : COMMAND_MODULES;
}
