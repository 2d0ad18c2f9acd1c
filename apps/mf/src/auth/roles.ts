/**
 * REST API roles (issue 6). operator: provisions warrants; supervisor: also approves
 * activation (four-eyes); auditor: reads the audit log and warrant metadata, changes nothing;
 * admin: users and LEA destinations, no warrants and no audit.
 */
export const ROLES = ['operator', 'supervisor', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who made an API call, however authenticated. */
export interface Principal {
  userId: string;
  name: string;
  role: Role;
  via: 'password' | 'client-certificate';
}

/** Audit-log actor string of a user. */
export function actorOf(p: Pick<Principal, 'name'>): string {
  return `user:${p.name}`;
}
