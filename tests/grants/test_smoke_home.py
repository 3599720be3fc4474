import pytest


def test_home_lists_only_own_projects_for_a_provider(client, actors):
    client.force_login(actors.user_a)
    response = client.get("/")
    assert response.status_code == 200
    assert "Project of A" in response.content.decode()
    assert "Project of B" not in response.content.decode()
