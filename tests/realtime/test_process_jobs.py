"""The per-process jobs (server/jobs.py, PROCESS_JOBS) run in every serving process,
also one that leaves the shared jobs to cron (CODRAFT_JOBS_IN_SERVER=0): an account
disabled from the command line, which sends this process no event, still ends its
sockets within the 5 s credential check."""

from __future__ import annotations

from tests.conftest import LiveServer
from tests.realtime.conftest import start_patiently
from tests.realtime.test_revocation import check_cut_off, server_errors


def test_a_process_without_the_shared_jobs_still_cuts_off_sockets(world, make, instance):
    live = start_patiently(LiveServer(instance, env={"CODRAFT_JOBS_IN_SERVER": "0"}))
    try:
        url = live.url
        check_cut_off("account_disabled", world, make, url, url, url, {"instance": instance})
        assert server_errors(live) == []
    finally:
        live.stop()
