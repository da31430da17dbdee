import type { Command } from 'commander';

export function registerAnnotate(program: Command): void {
  void program;
}
