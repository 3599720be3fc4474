"""
The very first administrator comes from the command line (create_administrator): the funder's organisation
is made if there is none, and the printed link sets the password, after which everything is done on the
administration pages. Administrators sign in with a second factor where it is required.
"""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from grants.models import Organisation, User
from grants.services import two_factor

NEW_PASSWORD = "a long and unusual passphrase 42"


def create(*args):
    out = StringIO()
    call_command("create_administrator", *args, stdout=out)
    return out.getvalue()


def test_the_command_makes_the_funder_and_its_administrator_and_prints_the_link(db, settings, client):
    settings.SITE_URL = "https://grants.example.org"
    out = create("Office of the Police and Crime Commissioner for Northshire", "ruth", "ruth@example.org")

    funder = Organisation.objects.get(name="Office of the Police and Crime Commissioner for Northshire")
    ruth = User.objects.get(username="ruth")
    assert funder.kind == Organisation.Kind.COMMISSIONER
    assert (ruth.organisation, ruth.role, ruth.has_usable_password()) == (funder, User.Role.ADMINISTRATOR, False)
    link = re.search(r"https://grants\.example\.org(/invitation/\S+/)", out).group(1)
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert client.post("/sign-in/", {"username": "ruth", "password": NEW_PASSWORD}).status_code == 302
    assert client.get("/administration/").status_code == 200


def test_the_command_uses_a_funder_already_there_and_refuses_a_provider(actors):
    create(actors.commissioner_org.name, "second", "second@example.org")
    assert User.objects.get(username="second").organisation == actors.commissioner_org
    with pytest.raises(CommandError, match="recipient or provider"):
        create(actors.provider_a.name, "third", "third@example.org")
    with pytest.raises(CommandError, match="already has an account"):
        create(actors.commissioner_org.name, "second", "other@example.org")


def test_administrators_must_use_a_second_factor_where_it_is_required(w, settings):
    settings.REQUIRE_2FA = True
    assert two_factor.required_for(w.administrator)
    assert not two_factor.required_for(w.viewer)
