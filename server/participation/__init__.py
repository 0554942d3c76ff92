"""Co-production made visible: participation by role, each member's words in the
policy, the "I statements" check, the ladder and the monitoring record. No Flask
here; callers authorise first (server.access)."""
