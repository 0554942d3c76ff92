"""Wrong passwords spend one budget, whether they come through the API (POST
/api/v1/tokens) or the sign-in page, counted per address and email, per address,
and per email (much higher). A flood of wrong passwords for someone's email does
not lock the real person out, and right passwords spend nothing."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import Api
from tests.api.support import error
from tests.conftest import PASSWORD, made_app

ANN = "ann@example.org"
WRONG = "not the password"
# Per hour, so a slow run never crosses a window and refills a budget mid-test.
LIMITS = {
    "SIGN_IN_LIMIT": "3 per hour",
    "SIGN_IN_ADDRESS_LIMIT": "6 per hour",
    "SIGN_IN_EMAIL_LIMIT": "8 per hour",
}


@pytest.fixture
def throttled(instance, make):
    """An app with the limits switched on, on the same database as `make`."""
    make.user("Ann", ANN)
    with made_app(instance, RATELIMIT_ENABLED=True, **LIMITS) as app:
        yield app


class Caller:
    """One client at one address, signing in through the API or the page."""

    def __init__(self, app, address: str):
        self.app = app
        self.program = Api(app.test_client())  # a program sends no cookies
        self.env = {"environ_base": {"REMOTE_ADDR": address}}

    def api(self, email: str = ANN, password: str = WRONG):
        body = {"email": email, "password": password, "name": "script"}
        return self.program.post("/tokens", json=body, **self.env)

    def page(self, email: str = ANN, password: str = WRONG):
        self.client = self.app.test_client()  # a fresh browser each time
        form = self.client.get("/sign-in", **self.env).get_data(as_text=True)
        token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', form).group(1)
        data = {"email": email, "password": password, "csrf_token": token}
        return self.client.post("/sign-in", data=data, **self.env)


def test_the_api_and_the_page_spend_one_budget(throttled):
    mallory = Caller(throttled, "10.0.0.66")
    error(mallory.api(), 401, "sign_in_failed")
    assert mallory.page().status_code == 401
    error(mallory.api(), 401)
    # Three wrong passwords for Ann from here, two ways: both ways are now closed.
    err = error(mallory.api(), 429, "too_many_requests")
    assert "Wait" in err["message"]
    limited = mallory.page()
    assert limited.status_code == 429
    assert "Too many attempts" in limited.get_data(as_text=True)
    assert mallory.client.get("/sign-in", **mallory.env).status_code == 200  # reading is free


def test_a_flood_of_wrong_passwords_does_not_lock_the_real_person_out(throttled):
    mallory = Caller(throttled, "10.0.0.66")
    replies = [mallory.api().status_code for _ in range(20)]
    replies += [mallory.page().status_code for _ in range(20)]
    assert replies[:3] == [401, 401, 401] and set(replies[3:]) == {429}
    ann = Caller(throttled, "192.0.2.10")
    assert ann.page(password=PASSWORD).status_code == 302  # signed in
    assert ann.api(password=PASSWORD).status_code == 201
    # A mistake of her own is still just a mistake.
    assert ann.api().status_code == 401


def test_guesses_for_one_email_from_many_addresses_meet_a_higher_bound(throttled):
    statuses = []
    for n in range(1, 5):  # 4 addresses x 3 = 12 tries, past the per-email bound of 8
        caller = Caller(throttled, f"10.0.1.{n}")
        statuses += [caller.api().status_code, caller.page().status_code, caller.api().status_code]
    assert statuses.count(401) == 8
    assert statuses[8:] == [429] * 4
    # The bound is on Ann's email only: someone else at that address is unaffected.
    assert Caller(throttled, "10.0.1.4").api(email="bob@example.org").status_code == 401


def test_one_address_trying_many_emails_meets_its_own_bound(throttled):
    mallory = Caller(throttled, "10.0.0.66")
    statuses = [mallory.api(email=f"person{n}@example.org").status_code for n in range(8)]
    assert statuses == [401] * 6 + [429] * 2
    assert Caller(throttled, "192.0.2.10").page(password=PASSWORD).status_code == 302


def test_right_passwords_spend_nothing(throttled):
    ann = Caller(throttled, "192.0.2.10")
    for _ in range(5):
        assert ann.api(password=PASSWORD).status_code == 201
        assert ann.page(password=PASSWORD).status_code == 302
    assert ann.api().status_code == 401  # the budget is still whole


def test_password_changes_are_counted_per_account(throttled):
    """Each try counts (the current password is checked), at the sign-in rate for
    that account: a browser or token left signed in cannot be used to guess it."""
    caller = Caller(throttled, "10.0.0.7")
    token = caller.api(password=PASSWORD).get_json()["token"]
    wrong = {"current_password": WRONG, "password": "a brand new secret"}
    for _ in range(3):
        error(caller.program.post("/me/password", token, wrong, **caller.env), 422)
    err = error(caller.program.post("/me/password", token, wrong, **caller.env), 429)
    assert err["code"] == "too_many_requests"
    elsewhere = Caller(throttled, "10.0.0.8")  # the budget is the account's, not the address's
    error(elsewhere.program.post("/me/password", token, wrong, **elsewhere.env), 429)
    assert caller.program.get("/me", token, **caller.env).status_code == 200  # nothing changed
