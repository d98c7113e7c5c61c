import { env, type ConfigOf } from '@flowforge/service-kit';
import { mailConfigVariables } from './mail/mail.config';

/** Variables only the auth service reads. */
export const authConfigVariables = {
  // `iss` of the tokens the built-in issuer signs; gateways trust it beside (or instead of) Keycloak.
  FLOWFORGE_AUTH_ISSUER: env.string('flowforge', { expected: 'an issuer name or URL, e.g. https://flowforge.example.com' }),
  FLOWFORGE_AUTH_AUDIENCE: env.string('flowforge-gateway', { expected: 'the audience gateways require, e.g. flowforge-gateway' }),
  FLOWFORGE_AUTH_ACCESS_TOKEN_SECONDS: env.int({ min: 30, max: 3600, def: 300 }, { description: 'lifetime of an access token' }),
  // A session ends this long after its last refresh (idle) — and never outlives SESSION_MAX_HOURS.
  FLOWFORGE_AUTH_SESSION_IDLE_MINUTES: env.int({ min: 5, max: 43_200, def: 720 }),
  FLOWFORGE_AUTH_SESSION_MAX_HOURS: env.int({ min: 1, max: 8760, def: 168 }),
  FLOWFORGE_AUTH_LOCKOUT_THRESHOLD: env.int({ min: 1, max: 100, def: 5 }, { description: 'failed logins before a login name is locked' }),
  FLOWFORGE_AUTH_LOCKOUT_MINUTES: env.int({ min: 1, max: 1440, def: 15 }),
  // Failed logins from one client address (any login names) before it is refused for LOCKOUT_MINUTES: password spraying.
  FLOWFORGE_AUTH_IP_FAILURE_LIMIT: env.int({ min: 1, max: 100_000, def: 50 }),
  FLOWFORGE_AUTH_RESET_TOKEN_MINUTES: env.int({ min: 5, max: 1440, def: 30 }),
  // First start only: the admin account's name and password. Unset password: one is generated and printed once.
  FLOWFORGE_BOOTSTRAP_ADMIN_USERNAME: env.string('admin', { expected: 'a user name', pattern: /^[A-Za-z0-9._@-]{2,64}$/ }),
  FLOWFORGE_BOOTSTRAP_ADMIN_PASSWORD: env.string('', { sensitive: true, expected: 'a password meeting the password policy' }),
  ...mailConfigVariables,
};

export type AuthConfig = ConfigOf<typeof authConfigVariables>;
