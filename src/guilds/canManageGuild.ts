/** Discord's Manage Guild permission bit (1 << 5). Administrator implies it: Discord sends computed permissions. */
export const MANAGE_GUILD = 1n << 5n;
const ADMINISTRATOR = 1n << 3n;

/**
 * Whether a member may manage the guild's subscriptions and settings: Manage Guild (or Administrator), or
 * the guild's manager role. Checked on every invocation from what the interaction itself says about the
 * member, because a guild can open a command to everyone in its integration settings whatever the bot
 * registered as default_member_permissions.
 */
export function canManageGuild(input: {
  /** The member's computed permissions in the channel (interaction `member.permissions`); null outside guilds. */
  memberPermissions: bigint | null;
  memberRoleIds: readonly string[];
  managerRoleId: string | null;
}): boolean {
  const permissions = input.memberPermissions ?? 0n;
  if ((permissions & (MANAGE_GUILD | ADMINISTRATOR)) !== 0n) return true;
  return input.managerRoleId !== null && input.memberRoleIds.includes(input.managerRoleId);
}
