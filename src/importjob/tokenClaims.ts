/**
 * Who a token says the caller is: the claims of an Entra ID access token's payload, decoded
 * (base64url JSON) and not verified — ARM verifies the token; diskprep only reports what it
 * holds. The token itself is never returned or printed.
 */
import { z } from 'zod';

/** The identity facts of an access token. */
export interface TokenClaims {
  /** `tid`: the directory (tenant) id. */
  tenant?: string | undefined;
  /** `appid` (v1) or `azp` (v2): the application that signed in. */
  appId?: string | undefined;
  /** `oid`: the object id of the user or service principal. */
  objectId?: string | undefined;
  /** `upn`, else `preferred_username`, else `unique_name`: a user's sign-in name. */
  upn?: string | undefined;
  /** `exp`: when the token expires. */
  expiresOn?: Date | undefined;
}

const Claims = z.object({
  tid: z.string().optional(),
  appid: z.string().optional(),
  azp: z.string().optional(),
  oid: z.string().optional(),
  upn: z.string().optional(),
  preferred_username: z.string().optional(),
  unique_name: z.string().optional(),
  exp: z.number().optional(),
});

/** The claims of `token`, or an empty record when it is not a JWT (an opaque token). */
export function tokenClaims(token: string): TokenClaims {
  const payload = token.split('.')[1];
  if (!payload) return {};
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return {};
  }
  const parsed = Claims.safeParse(json);
  if (!parsed.success) return {};
  const c = parsed.data;
  return {
    tenant: c.tid,
    appId: c.appid ?? c.azp,
    objectId: c.oid,
    upn: c.upn ?? c.preferred_username ?? c.unique_name,
    expiresOn: c.exp !== undefined ? new Date(c.exp * 1000) : undefined,
  };
}
