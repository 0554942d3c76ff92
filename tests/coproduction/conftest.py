"""Co-production tests share the page helpers (a signed-in client, a small group)
and the browser sessions."""

from tests.browser.conftest import open_session  # noqa: F401
from tests.web.conftest import (  # noqa: F401
    as_facilitator,
    as_member,
    as_outsider,
    fast_passwords,
    world,
)
