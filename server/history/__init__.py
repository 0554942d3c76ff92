"""Version history: revisions, snapshots, checkpoints, reading the past, diffs,
timelines, restore and attribution. No Flask or sockets here."""
