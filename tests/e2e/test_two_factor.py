"""
Two-factor sign-in in the browser, as production has it (REQUIRE_2FA on): the finance officer signs
in with the password, is taken to set up an authenticator app, reads the key under the QR code (as
an app would scan it), enters the code the app would show, is given recovery codes and reaches the
finance page; signing in again asks for a code, and a recovery code works. Screenshots of each step.
"""

import base64

import pytest
from django_otp.oath import totp

from tests.e2e.conftest import sign_out
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def app_code(key_text: str) -> str:
    return f"{totp(base64.b32decode(key_text.replace(' ', '')), t0=0, step=30, digits=6):06d}"


def password_step(page, username):
    page.goto("/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")


def test_finance_sets_up_an_authenticator_at_first_sign_in_then_signs_in_with_codes(actors, settings, new_page,
                                                                                  shots):
    settings.REQUIRE_2FA = True
    page = new_page()

    password_step(page, actors.finance.username)
    page.wait_for_url("**/two-factor/set-up/**")
    assert page.get_attribute("img.app-qr-code", "src").startswith("data:image/svg+xml")
    shots(page, "set-up")
    key = page.inner_text("[data-testid=totp-key]")
    page.fill("#id_code", app_code(key))
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=recovery-codes]")
    codes = page.locator("[data-testid=recovery-codes] code").all_inner_texts()
    shots(page, "recovery-codes")
    assert len(codes) == 10
    page.click("text=Continue")
    page.goto("/finance/")
    assert page.url.endswith("/finance/")

    sign_out(page)
    password_step(page, actors.finance.username)
    page.wait_for_url("**/sign-in/code/**")
    shots(page, "enter-a-code")
    page.fill("#id_code", "000000" if app_code(key) != "000000" else "111111")
    page.click("main button[type=submit]")
    page.wait_for_selector(".govuk-error-summary")
    shots(page, "wrong-code")
    page.fill("#id_code", codes[0])
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/sign-in/" not in url)
    shots(page, "signed-in-with-a-recovery-code")
    assert "/two-factor/" not in page.url
    assert page.problems == [] or all("400" in p for p in page.problems)  # the wrong code's own answer


def test_while_developing_the_demo_finance_officer_signs_in_with_the_password(actors, settings, new_page):
    settings.REQUIRE_2FA = False
    page = new_page()
    password_step(page, actors.finance.username)
    page.wait_for_selector("[data-testid=signed-in-as]")
    page.goto("/finance/")
    assert page.url.endswith("/finance/")
