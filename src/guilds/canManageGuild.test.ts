import { describe, expect, it } from 'vitest';
import { canManageGuild, MANAGE_GUILD } from './canManageGuild.js';

const SEND_MESSAGES = 1n << 11n;
const ADMINISTRATOR = 1n << 3n;

describe('canManageGuild', () => {
  it('allows a member with Manage Guild', () => {
    expect(
      canManageGuild({
        memberPermissions: MANAGE_GUILD | SEND_MESSAGES,
        memberRoleIds: [],
        managerRoleId: null,
      }),
    ).toBe(true);
  });

  it('allows an administrator even if the Manage Guild bit is absent from the payload', () => {
    expect(canManageGuild({ memberPermissions: ADMINISTRATOR, memberRoleIds: [], managerRoleId: null })).toBe(
      true,
    );
  });

  it('allows a member without Manage Guild who has the manager role', () => {
    expect(
      canManageGuild({ memberPermissions: SEND_MESSAGES, memberRoleIds: ['1', '42'], managerRoleId: '42' }),
    ).toBe(true);
  });

  it('refuses a member with neither the permission nor the manager role', () => {
    expect(
      canManageGuild({ memberPermissions: SEND_MESSAGES, memberRoleIds: ['1'], managerRoleId: '42' }),
    ).toBe(false);
    expect(canManageGuild({ memberPermissions: 0n, memberRoleIds: ['42'], managerRoleId: null })).toBe(false);
  });

  it('refuses when no permissions are known (not in a guild)', () => {
    expect(canManageGuild({ memberPermissions: null, memberRoleIds: [], managerRoleId: null })).toBe(false);
  });
});
