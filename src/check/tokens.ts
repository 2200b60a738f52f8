/**
 * Entra ID tokens for ARM: `DISKPREP_ACCESS_TOKEN` when set (scripts, tests, a token from
 * `az account get-access-token`), else @azure/identity's DefaultAzureCredential (environment,
 * managed identity, Azure CLI...). @azure/identity does not use the http seam, so the proxy
 * reaches it as `proxyOptions` (see src/deps/proxy.ts). src/importjob has the full client;
 * this one file is what check needs until the merge.
 */
import type { Deps } from '../deps/types.ts';
import { azureSdkProxyOptions, type ProxyConfig } from '../deps/proxy.ts';
import type { TokenSource } from './types.ts';

/** Creates the token source for a cloud whose login host is `authorityHost`. */
export function createTokenSource(
  deps: Pick<Deps, 'env' | 'redactor'>,
  opts: { authorityHost: string; proxy: ProxyConfig },
): TokenSource {
  const fixed = deps.env.DISKPREP_ACCESS_TOKEN;
  if (fixed) {
    deps.redactor.add(fixed);
    return {
      offline: true,
      getToken: async () => ({ token: fixed, source: 'DISKPREP_ACCESS_TOKEN' }),
    };
  }
  return {
    offline: false,
    async getToken(scope) {
      const { DefaultAzureCredential } = await import('@azure/identity');
      const proxyOptions = azureSdkProxyOptions(opts.authorityHost, opts.proxy);
      const credential = new DefaultAzureCredential({
        authorityHost: opts.authorityHost,
        ...(proxyOptions ? { proxyOptions } : {}),
      });
      const t = await credential.getToken(scope);
      deps.redactor.add(t.token);
      return { token: t.token, source: 'DefaultAzureCredential' };
    },
  };
}
