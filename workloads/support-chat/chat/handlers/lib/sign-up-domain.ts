/*
 * Whether an e-mail address belongs to one of the domains open to self sign-up: the part after the one "@" equals an
 * allowed domain, ignoring case, and nothing else does (no subdomain of it, no second "@", no trailing dot).
 */

/** The environment of the sign-up triggers: the allowed domains as a JSON array of lower-case strings. */
export interface SignUpEnvironment {
  readonly ALLOWED_EMAIL_DOMAINS: string;
}

/** The allowed domains from the triggers' environment; a missing or malformed list is an error (nobody signs up). */
export function allowedDomains(env: Partial<SignUpEnvironment>): readonly string[] {
  const parsed: unknown = JSON.parse(env.ALLOWED_EMAIL_DOMAINS ?? 'null');
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((d) => typeof d === 'string' && d.length > 0)) {
    throw new Error('ALLOWED_EMAIL_DOMAINS must be a non-empty JSON array of domains');
  }
  return parsed.map((d: string) => d.toLowerCase());
}

/** The domain of `email` in lower case, or undefined when it is not one local part, one "@" and one domain. */
export function emailDomain(email: unknown): string | undefined {
  if (typeof email !== 'string') return undefined;
  const parts = email.split('@');
  if (parts.length !== 2 || parts[0].length === 0 || parts[1].length === 0) return undefined;
  return parts[1].toLowerCase();
}

/** True when the address's domain is exactly one of `domains` (lower case). */
export function isAllowedEmail(email: unknown, domains: readonly string[]): boolean {
  const domain = emailDomain(email);
  return domain !== undefined && domains.includes(domain);
}
