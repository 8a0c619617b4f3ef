/**
 * The policy of a tenant that has none of its own: four roles and nothing public. Deny by default
 * means a principal without one of these roles, and every anonymous caller, can do nothing; a
 * tenant opens data to the public (open data, the resident portal) only by writing a policy.
 */
export const DEFAULT_POLICY_DOCUMENT = Object.freeze({
  description: 'Built-in policy: roles admin, operator, editor and viewer; nothing is public.',
  rules: [
    {
      id: 'admin',
      description: 'Tenant administrators: everything, including keys, policies, audit',
      roles: ['admin'],
      actions: ['read', 'write', 'command', 'admin'],
    },
    {
      id: 'operator',
      description: 'Operators: read and write data, command actuators',
      roles: ['operator'],
      actions: ['read', 'write', 'command'],
    },
    {
      id: 'editor',
      description: 'Editors and ingest services: read and write data',
      roles: ['editor'],
      actions: ['read', 'write'],
    },
    { id: 'viewer', description: 'Viewers: read data', roles: ['viewer'], actions: ['read'] },
  ],
});

/** The role names the built-in policy knows (other names are valid but need a policy to mean something). */
export const BUILT_IN_ROLES = ['admin', 'operator', 'editor', 'viewer'] as const;
