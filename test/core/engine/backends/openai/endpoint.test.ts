import { describe, expect, it } from 'vitest';
import { EndpointRefusedError, isLoopbackHost, resolveEndpoint } from '../../../../../src/core/engine/backends/openai/endpoint';

const policy = (baseUrl: string, allowHosts: string[] = [], allowInsecure = false) => ({ baseUrl, allowHosts, allowInsecure });

describe('the DUA boundary of the server backend', () => {
  it('knows loopback addresses and names', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1', 'api.localhost']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['10.0.0.1', '128.0.0.1', '127.0.0.256', 'localhost.example.org', 'example.org', '::2', '0.0.0.0', '127.0.0.1.nip.io']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('lets loopback through without any flag, plain http included', () => {
    const endpoint = resolveEndpoint(policy('http://127.0.0.1:8000/v1/'));
    expect(endpoint).toMatchObject({ baseUrl: 'http://127.0.0.1:8000/v1', host: '127.0.0.1', port: 8000, loopback: true, allowedBy: null, insecure: true });
    expect(resolveEndpoint(policy('http://[::1]:11434/v1')).baseUrl).toBe('http://[::1]:11434/v1');
  });

  it('refuses any other host unless it is named, and says how to name it', () => {
    expect(() => resolveEndpoint(policy('https://gpu01.hospital.example/v1'))).toThrow(EndpointRefusedError);
    expect(() => resolveEndpoint(policy('https://gpu01.hospital.example/v1'))).toThrow(/--allow-host gpu01\.hospital\.example.*Nothing was sent/);
    expect(() => resolveEndpoint(policy('https://gpu01.hospital.example/v1', ['gpu02.hospital.example']))).toThrow(EndpointRefusedError);
    const allowed = resolveEndpoint(policy('https://GPU01.hospital.example:8443/v1', ['gpu01.hospital.example']));
    expect(allowed).toMatchObject({ host: 'gpu01.hospital.example', port: 8443, loopback: false, allowedBy: 'gpu01.hospital.example', insecure: false });
  });

  it('pins the port when the allowed entry names one', () => {
    expect(resolveEndpoint(policy('https://10.1.2.3:8443/v1', ['10.1.2.3:8443'])).allowedBy).toBe('10.1.2.3:8443');
    expect(() => resolveEndpoint(policy('https://10.1.2.3:9000/v1', ['10.1.2.3:8443']))).toThrow(EndpointRefusedError);
  });

  it('refuses plain http to a non-loopback host without --allow-insecure', () => {
    expect(() => resolveEndpoint(policy('http://10.1.2.3:8000/v1', ['10.1.2.3']))).toThrow(/--allow-insecure/);
    expect(resolveEndpoint(policy('http://10.1.2.3:8000/v1', ['10.1.2.3'], true)).insecure).toBe(true);
  });

  it('refuses credentials, queries and other schemes in the URL', () => {
    expect(() => resolveEndpoint(policy('http://user:secret@127.0.0.1:8000/v1'))).toThrow(/--api-key-env/);
    expect(() => resolveEndpoint(policy('http://127.0.0.1:8000/v1?key=1'))).toThrow(/query/);
    expect(() => resolveEndpoint(policy('ftp://127.0.0.1/v1'))).toThrow(/http/);
    expect(() => resolveEndpoint(policy('not a url'))).toThrow(/not a URL/);
  });
});
