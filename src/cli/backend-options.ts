import { InvalidArgumentError, Option, type Command } from 'commander';
import { backendIds, describeBackends, getBackend, type OptionField } from '../core/engine/backends/registry';
import { UsageError } from './errors';

/**
 * The CLI flags of every registered backend, generated from the registry (a new backend needs no
 * CLI change), and the backend options a command line gives.
 */

/** Commander's attribute for a flag: --base-url -> baseUrl (a default-true boolean's --no-x -> x). */
function attributeOf(field: OptionField): string {
  return field.flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function numberParser(field: OptionField) {
  return (value: string): number => {
    const n = Number(value);
    const whole = field.type === 'integer';
    if (!Number.isFinite(n) || (whole && !Number.isInteger(n)) || (field.min !== undefined && n < field.min) || (field.max !== undefined && n > field.max)) {
      const range = field.max !== undefined ? `between ${field.min ?? 0} and ${field.max}` : `of ${field.min ?? 0} or more`;
      throw new InvalidArgumentError(`expected a ${whole ? 'whole number' : 'number'} ${range}`);
    }
    return n;
  };
}

function optionFor(field: OptionField, owners: string[]): Option {
  const scope = `[--backend ${owners.join('|')}]`;
  const shownDefault = field.default !== null && field.type !== 'boolean' ? ` (default: ${field.default})` : '';
  const description = `${field.description}${shownDefault} ${scope}`;
  switch (field.type) {
    case 'boolean':
      return field.default === true ? new Option(`--no-${field.flag.slice(2)}`, `do not ${field.description} ${scope}`) : new Option(field.flag, description);
    case 'enum':
      return new Option(`${field.flag} <value>`, description).choices(field.choices ?? []);
    case 'integer':
    case 'number':
      return new Option(`${field.flag} <n>`, description).argParser(numberParser(field));
    case 'string-list':
      return new Option(`${field.flag} <value>`, description).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    default:
      return new Option(`${field.flag} <value>`, description);
  }
}

/** Adds `--backend` and every backend's flags (once each, even when two backends share one). */
export function addBackendOptions(command: Command, only?: readonly string[]): Command {
  const backends = describeBackends().filter((b) => !only || only.includes(b.id));
  command.addOption(new Option('--backend <id>', `inference backend (default: baseline for --model baseline, else gguf)`).choices(only ? [...only] : backendIds()));
  const owners = new Map<string, { field: OptionField; ids: string[] }>();
  for (const backend of backends) {
    for (const field of backend.fields) {
      const entry = owners.get(field.flag);
      if (entry) entry.ids.push(backend.id);
      else owners.set(field.flag, { field, ids: [backend.id] });
    }
  }
  for (const { field, ids } of owners.values()) command.addOption(optionFor(field, ids));
  return command;
}

/** The given backend's options from the command line; a flag that belongs to another backend is a usage error. */
export function backendOptionsFrom(command: Command, backendId: string): Record<string, unknown> {
  const backend = getBackend(backendId);
  const own = new Set(backend.fields.map((f) => f.flag));
  for (const other of describeBackends()) {
    for (const field of other.fields) {
      if (!own.has(field.flag) && command.getOptionValueSource(attributeOf(field)) === 'cli') {
        throw new UsageError(`${field.flag} applies to --backend ${other.id}, not to ${backendId}`);
      }
    }
  }
  const options: Record<string, unknown> = {};
  for (const field of backend.fields) {
    const key = attributeOf(field);
    if (command.getOptionValueSource(key) === 'cli') options[field.name] = command.getOptionValue(key);
  }
  return options;
}

/** Whether any backend flag was given (a resumed run takes its recorded settings, so flags there are a mistake). */
export function givenBackendFlags(command: Command): string[] {
  return describeBackends()
    .flatMap((b) => b.fields)
    .filter((field) => command.getOptionValueSource(attributeOf(field)) === 'cli')
    .map((field) => field.flag);
}
