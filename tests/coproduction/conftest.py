"""Co-production tests share the page helpers (a signed-in client, a small group)."""

from tests.web.conftest import (  # noqa: F401
    as_facilitator,
    as_member,
    as_outsider,
    fast_passwords,
    world,
)
from tests.browser.conftest import open_session  # noqa: E402, F401
