// Policy: levels per role, deny for unlisted rules, all_tenants only for admin, visibility.
import { describe, expect, it } from 'vitest';
import type { AuthContext } from '../../src/identity/auth-context.js';
import { authorize, canSee, enforce, projectOf, RULES, wantsAllTenants } from '../../src/identity/policy.js';
import { type ApiError } from '../../src/errors.js';

function ctx(roles: string[], projectId: string | null = 'p1'): AuthContext {
  return {
    userId: 'u1',
    userName: 'u',
    userDomainId: 'default',
    projectId,
    projectName: projectId,
    projectDomainId: projectId ? 'default' : null,
    domainId: null,
    roles,
    methods: ['password'],
    auditId: 'a',
    issuedAt: '',
    expiresAt: '',
    tokenHash: 'h',
  };
}
const status = (fn: () => unknown) => {
  try {
    fn();
    return 200;
  } catch (e) {
    return (e as ApiError).status;
  }
};

describe('authorize (levels)', () => {
  it('reader reads only; member reads and writes; admin does everything; no role does nothing', () => {
    const table: [string[], number, number, number][] = [
      [['reader'], 200, 403, 403],
      [['member'], 200, 200, 403],
      [['admin'], 200, 200, 200],
      [[], 403, 403, 403],
    ];
    for (const [roles, read, write, admin] of table) {
      const a = ctx(roles);
      expect(
        [status(() => authorize(a, 'read')), status(() => authorize(a, 'write')), status(() => authorize(a, 'admin'))],
        roles.join(),
      ).toEqual([read, write, admin]);
    }
  });
  it("the 403 carries Nova's policy wording with the rule name", () => {
    expect(() => authorize(ctx(['reader']), 'write', 'os_compute_api:servers:create')).toThrow(
      "Policy doesn't allow os_compute_api:servers:create to be performed.",
    );
  });
});

describe('enforce (named rules)', () => {
  it('an unlisted rule is denied even for admin', () => {
    expect(RULES['identity:create_domain']).toBeUndefined();
    expect(status(() => enforce(ctx(['admin']), 'identity:create_domain'))).toBe(403);
    expect(status(() => enforce(ctx(['admin']), 'toString'))).toBe(403); // no prototype lookups
  });
  it("admin-only identity rules refuse members with Keystone's wording", () => {
    expect(() => enforce(ctx(['member']), 'identity:create_project')).toThrow(
      'You are not authorized to perform the requested action: identity:create_project.',
    );
    expect(status(() => enforce(ctx(['admin']), 'identity:create_project'))).toBe(200);
  });
  it('token-level rules accept an unscoped token (no roles)', () => {
    expect(status(() => enforce(ctx([], null), 'identity:get_auth_projects'))).toBe(200);
    expect(status(() => enforce(ctx([], null), 'identity:list_roles'))).toBe(403);
  });
});

describe('project scoping', () => {
  it('projectOf needs a project-scoped token (401 otherwise)', () => {
    expect(projectOf(ctx(['member']))).toBe('p1');
    expect(status(() => projectOf(ctx([], null)))).toBe(401);
  });
  it('canSee: own project yes, another no, admin everything, ownerless only admin', () => {
    expect(canSee(ctx(['reader']), 'p1')).toBe(true);
    expect(canSee(ctx(['member']), 'p2')).toBe(false);
    expect(canSee(ctx(['admin']), 'p2')).toBe(true);
    expect(canSee(ctx(['member']), null)).toBe(false);
  });
  it('all_tenants: absent or false words → false; true words or empty → admin only; junk → 400', () => {
    expect(wantsAllTenants(ctx(['member']), undefined)).toBe(false);
    expect(wantsAllTenants(ctx(['member']), '0')).toBe(false);
    expect(wantsAllTenants(ctx(['member']), 'False')).toBe(false);
    expect(wantsAllTenants(ctx(['admin']), '')).toBe(true);
    expect(wantsAllTenants(ctx(['admin']), 'True')).toBe(true);
    expect(wantsAllTenants(ctx(['admin']), ['0', '1'])).toBe(true);
    expect(() => wantsAllTenants(ctx(['member']), '1')).toThrow(
      "Policy doesn't allow os_compute_api:servers:index:get_all_tenants to be performed.",
    );
    expect(status(() => wantsAllTenants(ctx(['admin']), 'maybe'))).toBe(400);
  });
});
