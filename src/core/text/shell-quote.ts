/**
 * Quotes one argument for a POSIX shell, for the commands MedBench prints as hints ("Score it with: ...").
 * Run names and paths come from users and files: a name like `x; rm -rf ~` or `$(curl ...)` must be copied back
 * as one literal argument, never run. Plain words are left as they are so the usual hint stays readable.
 */
export function shellQuote(value: string): string {
  if (value !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) && !value.startsWith('-')) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
