import { accessLabel, ALL_PERMISSIONS, parseAccessLabel, permissionsLacking, type Permission, type RouteAccess } from './permissions';
import { actorFromHeaders, actorHeaders, type Actor } from './actor';

describe('route access labels', () => {
  it.each<RouteAccess>([{ kind: 'public' }, { kind: 'authenticated' }, { kind: 'interactive' }, { kind: 'permission', permission: 'settings:manage-users' }])(
    'round-trips %j through x-permission',
    (access) => {
      expect(parseAccessLabel(accessLabel(access))).toEqual(access);
    },
  );

  it('refuses a label that is no kind and no permission', () => {
    expect(() => parseAccessLabel('interactive:maybe')).toThrow(/FF_ACCESS_UNKNOWN/);
    expect(() => parseAccessLabel('permission')).toThrow(/FF_ACCESS_UNKNOWN/);
  });
});

describe('permissionsLacking', () => {
  it('names what the holder lacks, in catalogue order, once', () => {
    const held = new Set<Permission>(['settings:manage-users']);
    expect(permissionsLacking(held, ['audit:export', 'settings:manage-users', 'workflow:view', 'audit:export'])).toEqual(['workflow:view', 'audit:export']);
  });

  it('is empty when the holder covers everything wanted (nothing wanted included)', () => {
    expect(permissionsLacking(new Set(ALL_PERMISSIONS), ALL_PERMISSIONS)).toEqual([]);
    expect(permissionsLacking(new Set(), [])).toEqual([]);
  });
});

describe('actor headers', () => {
  const actor: Actor = {
    type: 'token',
    id: 'tok-1',
    name: 'ci (ada)',
    userId: 'u-1',
    sessionId: null,
    ip: '10.0.0.1',
    userAgent: 'curl',
    permissions: ['workflow:view', 'job:view'],
  };

  it('carry the permissions the credential holds', () => {
    expect(actorFromHeaders(actorHeaders(actor))).toEqual(actor);
  });

  it('tell "holds nothing" (empty list) from "unknown" (no header), and drop what is not a permission', () => {
    expect(actorFromHeaders(actorHeaders({ ...actor, permissions: [] })).permissions).toEqual([]);
    expect(actorFromHeaders(actorHeaders({ ...actor, permissions: undefined })).permissions).toBeNull();
    expect(actorFromHeaders({ ...actorHeaders(actor), 'x-flowforge-actor-permissions': 'workflow:view,root:everything' }).permissions).toEqual([
      'workflow:view',
    ]);
  });
});
