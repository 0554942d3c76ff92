import time
import pytest
from tests.browser.conftest import *  # noqa

def test_offline(make, open_session):
    u = make.user("Alice", "alice@example.org")
    make.group(u)
    s = open_session()
    s.sign_in("alice@example.org")
    page = s.page
    page.add_script_tag(url="/static/vendor/socket.io.min.js")
    page.evaluate("""() => { window.log = []; const sock = io(); window.sock = sock;
      sock.on('connect', () => log.push('connect ' + sock.io.engine.transport.name));
      sock.io.engine && sock.io.on('open', () => log.push('open'));
      sock.on('disconnect', (r) => log.push('disconnect ' + r));
      sock.on('connect_error', (e) => log.push('connect_error ' + e.message));
      window.addEventListener('offline', () => log.push('offline event'));
      window.addEventListener('online', () => log.push('online event'));
    }""")
    time.sleep(1.5)
    print(page.evaluate("() => [log, sock.io.engine.transport.name]"))
    s.context.set_offline(True)
    time.sleep(3)
    print(page.evaluate("() => [log, sock.connected, navigator.onLine]"))
    s.context.set_offline(False)
    time.sleep(3)
    print(page.evaluate("() => [log, sock.connected]"))
