import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTypeOf, RENDERER_CONTENT_SECURITY_POLICY, resolveStaticFile, STATIC_SECURITY_HEADERS } from '../../src/core/static-files';

let top: string;
let root: string;

beforeAll(() => {
  top = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-static-'));
  root = path.join(top, 'renderer');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
  fs.writeFileSync(path.join(root, 'assets', 'a b.js'), '1');
  fs.writeFileSync(path.join(top, 'secret.txt'), 'secret');
  fs.symlinkSync(path.join(top, 'secret.txt'), path.join(root, 'assets', 'link-out.txt'));
  fs.symlinkSync(path.join(root, 'index.html'), path.join(root, 'assets', 'link-in.html'));
});
afterAll(() => fs.rmSync(top, { recursive: true, force: true }));

describe('resolveStaticFile (app:// and medbench serve)', () => {
  it('maps URL paths to existing files, / to index.html, decoding escapes', () => {
    expect(resolveStaticFile(root, '/')).toBe(path.join(root, 'index.html'));
    expect(resolveStaticFile(root, '/assets/a%20b.js')).toBe(path.join(root, 'assets', 'a b.js'));
    expect(resolveStaticFile(root, '/assets/link-in.html')).toBe(path.join(root, 'index.html'));
  });

  it('refuses escapes, links out, folders, missing files, NUL, backslashes and broken escapes', () => {
    for (const pathname of ['/..%2fsecret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/assets/link-out.txt', '/assets', '/missing.js', '/index.html%00.js', '/..%5csecret.txt', '/%E0%A4%A']) {
      expect(resolveStaticFile(root, pathname), pathname).toBeNull();
    }
  });

  it('answers nothing for a root that does not exist', () => {
    expect(resolveStaticFile(path.join(top, 'absent'), '/index.html')).toBeNull();
  });
});

describe('types and headers', () => {
  it('knows the renderer build output types and falls back to octet-stream', () => {
    expect(contentTypeOf('x.HTML')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('a/b.js')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('f.woff2')).toBe('font/woff2');
    expect(contentTypeOf('x.exe')).toBe('application/octet-stream');
  });

  it('sends one strict policy: no inline or remote scripts, nothing framed, nosniff', () => {
    expect(STATIC_SECURITY_HEADERS['Content-Security-Policy']).toBe(RENDERER_CONTENT_SECURITY_POLICY);
    expect(RENDERER_CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(RENDERER_CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(RENDERER_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:|\*/);
    expect(STATIC_SECURITY_HEADERS['X-Content-Type-Options']).toBe('nosniff');
    expect(STATIC_SECURITY_HEADERS['X-Frame-Options']).toBe('DENY');
  });
});
