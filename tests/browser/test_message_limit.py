"""docs/protocol.md's 512 KiB message limit as the browser's own Socket.IO client
(the one the pages use) sees it: a bigger message closes the connection with reason
"transport close", and the next connection works at once."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

CLIENT = "/static/vendor/socket.io.min.js"
SEND = """async ({size}) => {
  const s = io({transports: ["websocket"], reconnection: false});
  await new Promise((ok) => s.on("connect", ok));
  const reason = new Promise((ok) => s.on("disconnect", ok));
  s.emit("presence", {pad: "x".repeat(size)});
  const got = await Promise.race([reason, new Promise((ok) => setTimeout(() => ok(null), 8000))]);
  const again = io({transports: ["websocket"], reconnection: false, forceNew: true});
  const ack = await new Promise((ok) => again.on("connect", () =>
    again.emit("leave_policy", {}, ok)));
  again.close();
  return {reason: got, ack};
}"""


def test_a_message_over_512_kib_closes_the_browser_connection(make, open_session):
    make.user("Sam Taylor", "sam@example.org")
    s = open_session()
    s.sign_in("sam@example.org")
    if not s.page.evaluate("() => Boolean(window.io)"):
        s.page.add_script_tag(url=s.server.url + CLIENT)
    got = s.page.evaluate(SEND, {"size": 512 * 1024})
    assert got == {"reason": "transport close", "ack": {"ok": True}}, got
