/** What Entra ID said when a sign-in failed, as one short phrase for an error line. */

/** The Entra error code of a failed sign-in (AADSTS700027, invalid_client...), one short phrase. */
export function entraReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const aadsts = /AADSTS\d+/.exec(text)?.[0];
  const code = /\b(invalid_client|invalid_request|unauthorized_client|invalid_grant)\b/.exec(
    text,
  )?.[1];
  if (aadsts || code) return [code, aadsts].filter(Boolean).join(' ');
  // msal-node says endpoints_resolution_error when it cannot fetch the authority's metadata.
  if (
    /ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket hang up|endpoints_resolution_error|network_error|certificate/i.test(
      text,
    )
  )
    return 'the sign-in host could not be reached';
  return 'Entra ID refused it';
}
