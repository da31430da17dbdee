import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTypeOf, registerAppProtocol, resolveAppFile, serveAppFile } from '../../src/main/protocol';
import { CONTENT_SECURITY_POLICY } from '../../src/main/security';

let top: string;
let root: string;

beforeAll(() => {
  // root = <top>/renderer, with a secret next to it that no URL may reach.
  top = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-protocol-'));
  root = path.join(top, 'renderer');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>t</title>');
  fs.writeFileSync(path.join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  fs.writeFileSync(path.join(root, 'assets', 'a b.css'), 'body{}');
  fs.writeFileSync(path.join(top, 'secret.txt'), 'not for the renderer');
});

afterAll(() => fs.rmSync(top, { recursive: true, force: true }));

describe('resolveAppFile', () => {
  it('maps app://medbench URLs to files under the root, / to index.html', () => {
    expect(resolveAppFile(root, 'app://medbench/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://medbench/index.html')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://medbench/assets/index-abc.js?v=1#x')).toBe(path.join(root, 'assets', 'index-abc.js'));
    expect(resolveAppFile(root, 'app://medbench/assets/a%20b.css')).toBe(path.join(root, 'assets', 'a b.css'));
  });

  it('never leaves the root', () => {
    for (const url of [
      'app://medbench/%2e%2e/secret.txt',
      'app://medbench/..%2fsecret.txt',
      'app://medbench/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      'app://medbench/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      'app://medbench/..%5csecret.txt',
      'app://medbench/%2fetc%2fpasswd/..%2f..%2f..%2fsecret.txt',
    ]) {
      const file = resolveAppFile(root, url);
      if (file !== null) expect(path.relative(root, file).startsWith('..'), url).toBe(false);
      expect(file === null || file.startsWith(root + path.sep), url).toBe(true);
    }
    // The URL parser folds `%2e%2e/` into the path like `../` (staying at the root, where no such
    // file exists); an encoded slash only appears after decoding, which is where the root check catches it.
    expect(resolveAppFile(root, 'app://medbench/%2e%2e/secret.txt')).toBeNull();
    expect(resolveAppFile(root, 'app://medbench/..%2fsecret.txt')).toBeNull();
    expect(resolveAppFile(root, 'app://medbench/..%5csecret.txt')).toBeNull();
  });

  it('refuses other hosts and schemes, NUL bytes and broken escapes', () => {
    expect(resolveAppFile(root, 'app://evil/index.html')).toBeNull();
    expect(resolveAppFile(root, 'file:///etc/passwd')).toBeNull();
    expect(resolveAppFile(root, 'https://medbench/index.html')).toBeNull();
    expect(resolveAppFile(root, 'app://medbench/index.html%00.js')).toBeNull();
    expect(resolveAppFile(root, 'app://medbench/%E0%A4%A')).toBeNull();
    expect(resolveAppFile(root, 'not a url')).toBeNull();
  });
});

describe('serveAppFile', () => {
  it('serves files with their type, the CSP header and nosniff', async () => {
    const response = await serveAppFile(root, 'app://medbench/assets/index-abc.js');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('console.log(1)');
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const page = await serveAppFile(root, 'app://medbench/');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('answers 404, still with the CSP header, for missing files, folders and escapes', async () => {
    for (const url of ['app://medbench/missing.js', 'app://medbench/assets', 'app://medbench/%2e%2e/secret.txt', 'app://evil/index.html']) {
      const response = await serveAppFile(root, url);
      expect(response.status, url).toBe(404);
      expect(await response.text(), url).not.toContain('not for the renderer');
      expect(response.headers.get('content-security-policy'), url).toBe(CONTENT_SECURITY_POLICY);
    }
  });
});

describe('registerAppProtocol', () => {
  it('handles the app scheme from the renderer root', async () => {
    const handlers = new Map<string, (request: { url: string }) => Promise<Response>>();
    registerAppProtocol({ handle: (scheme: string, handler: never) => handlers.set(scheme, handler) } as never, root);
    expect([...handlers.keys()]).toEqual(['app']);
    const response = await handlers.get('app')!({ url: 'app://medbench/index.html' });
    expect(await response.text()).toContain('<title>t</title>');
  });
});

describe('contentTypeOf', () => {
  it('knows the types a Vite build emits and falls back to octet-stream', () => {
    expect(contentTypeOf('a.css')).toBe('text/css; charset=utf-8');
    expect(contentTypeOf('a.SVG')).toBe('image/svg+xml');
    expect(contentTypeOf('a.woff2')).toBe('font/woff2');
    expect(contentTypeOf('a.unknown')).toBe('application/octet-stream');
  });
});
