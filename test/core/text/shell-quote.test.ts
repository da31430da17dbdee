import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../../src/core/text/shell-quote';

describe('shellQuote', () => {
  it('leaves plain names and paths as they are', () => {
    expect(shellQuote('qwen7b')).toBe('qwen7b');
    expect(shellQuote('/home/a/medbench.db')).toBe('/home/a/medbench.db');
  });

  it.each(['x; touch /tmp/pwned', '$(id)', '`id`', "it's", 'two words', '', '-rf', 'a\nb', '\u202egnp.exe', '*'])(
    'a POSIX shell reads %j back as one literal argument',
    (value) => {
      const echoed = execFileSync('sh', ['-c', `printf '%s' ${shellQuote(value)}`], { encoding: 'utf8' });
      expect(echoed).toBe(value);
    },
  );
});
