import { describe, expect, it } from 'vitest';
import {
  azureSdkProxyOptions,
  matchNoProxy,
  redactProxyUrl,
  resolveProxy,
} from '../../src/deps/proxy.ts';

describe('resolveProxy', () => {
  it('--proxy wins over the environment and applies to every host', () => {
    const d = resolveProxy('https://management.azure.com/x', {
      proxy: 'http://p:3128',
      env: { HTTPS_PROXY: 'http://other:1', NO_PROXY: '*' },
    });
    expect(d).toEqual({ proxyUrl: 'http://p:3128', source: '--proxy', bypassedBy: undefined });
  });

  it('https URLs use HTTPS_PROXY, then fall back to HTTP_PROXY; http URLs only HTTP_PROXY', () => {
    expect(
      resolveProxy('https://a.example', {
        env: { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://h:1' },
      }).source,
    ).toBe('HTTPS_PROXY');
    expect(resolveProxy('https://a.example', { env: { http_proxy: 'http://h:1' } })).toMatchObject({
      proxyUrl: 'http://h:1',
      source: 'http_proxy',
    });
    expect(resolveProxy('http://a.example', { env: { HTTPS_PROXY: 'http://s:1' } }).source).toBe(
      'none',
    );
  });

  it('NO_PROXY sends matching hosts direct and names the entry', () => {
    const env = {
      HTTPS_PROXY: 'http://p:1',
      NO_PROXY: 'localhost, .corp.example,*.blob.core.windows.net,10.0.0.1:443',
    };
    expect(resolveProxy('https://x.corp.example', { env }).bypassedBy).toBe('.corp.example');
    expect(resolveProxy('https://corp.example', { env }).bypassedBy).toBe('.corp.example');
    expect(resolveProxy('https://acct.blob.core.windows.net', { env }).bypassedBy).toBe(
      '*.blob.core.windows.net',
    );
    // *.x matches subdomains only.
    expect(resolveProxy('https://blob.core.windows.net', { env }).proxyUrl).toBe('http://p:1');
    expect(resolveProxy('https://10.0.0.1', { env }).bypassedBy).toBe('10.0.0.1:443');
    expect(resolveProxy('https://10.0.0.1:8443', { env }).proxyUrl).toBe('http://p:1');
    expect(resolveProxy('https://management.azure.com', { env }).proxyUrl).toBe('http://p:1');
  });

  it('matchNoProxy: * matches everything, IPv6 literals match unbracketed', () => {
    expect(matchNoProxy('*', 'anything', 443)).toBe('*');
    expect(matchNoProxy('::1', '[::1]', 443)).toBe('::1');
    expect(matchNoProxy('example.com', 'notexample.com', 443)).toBeUndefined();
  });
});

describe('proxy URLs', () => {
  it('redacts the password and keeps the user', () => {
    expect(redactProxyUrl('http://alice:s3cr%40t@proxy.corp:3128')).toBe(
      'http://alice:***@proxy.corp:3128',
    );
    expect(redactProxyUrl('http://proxy.corp:3128/')).toBe('http://proxy.corp:3128');
  });

  it('gives the Azure SDKs host, port and decoded credentials, and nothing for bypassed hosts', () => {
    const cfg = {
      env: { HTTPS_PROXY: 'http://alice:s3cr%40t@proxy.corp:3128', NO_PROXY: 'login.example' },
    };
    expect(azureSdkProxyOptions('https://login.microsoftonline.com', cfg)).toEqual({
      host: 'http://proxy.corp',
      port: 3128,
      username: 'alice',
      password: 's3cr@t',
    });
    expect(azureSdkProxyOptions('https://login.example', cfg)).toBeUndefined();
  });
});
