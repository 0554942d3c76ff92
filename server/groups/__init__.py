"""Co-production groups: members with roles, sub-groups and invitations."""
