import { keycloakRoles, parseRoleMap } from './token-verifier';

describe('Keycloak realm roles → FlowForge roles', () => {
  it('maps by FLOWFORGE_OIDC_ROLE_MAP, else by name; realm roles naming nothing grant nothing later', () => {
    const map = parseRoleMap('flowforge-admins=admin, data-team=developer');
    expect([...map]).toEqual([
      ['flowforge-admins', 'admin'],
      ['data-team', 'developer'],
    ]);
    const roles = keycloakRoles({ realm_access: { roles: ['flowforge-admins', 'analyst', 'offline_access', 'Weird Role', 42] } }, map);
    expect(roles).toEqual(['admin', 'analyst']);
  });

  it('reads no roles from a token without realm_access', () => {
    expect(keycloakRoles({}, new Map())).toEqual([]);
    expect(parseRoleMap('')).toEqual(new Map());
  });
});
