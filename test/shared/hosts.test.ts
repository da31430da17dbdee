import { describe, expect, it } from 'vitest';
import { hostOfUrl, isLoopbackHost } from '../../src/shared/hosts';

describe('which hosts need the user’s confirmation', () => {
  it('treats loopback as this machine and everything else as needing confirmation', () => {
    expect(['127.0.0.1', 'localhost', '[::1]', '127.8.9.10'].map(isLoopbackHost)).toEqual([true, true, true, true]);
    expect(['10.0.0.5', 'gpu01.hospital.example', '0.0.0.0', '127.0.0.999'].map(isLoopbackHost)).toEqual([false, false, false, false]);
  });
  it('reads the host the core will check from a base URL', () => {
    expect(hostOfUrl('http://127.0.0.1:8000/v1')).toBe('127.0.0.1');
    expect(hostOfUrl('https://GPU01.Hospital.example:8443/v1')).toBe('gpu01.hospital.example');
    expect(hostOfUrl('http://[::1]:11434/v1')).toBe('::1');
    expect(hostOfUrl('not a url')).toBeNull();
  });
});
