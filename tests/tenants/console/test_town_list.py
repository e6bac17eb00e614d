"""The console's list of towns: figures from TownStats, filters, constant queries."""

from typing import TYPE_CHECKING

import pytest

from tenants.models import Town
from tests.tenants.console.conftest import town_row_create

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse


def _town_names(response: "_MonkeyPatchedWSGIResponse") -> list[str]:
    return [town.name for town in response.context["page"].object_list]


def test_lists_every_town_with_its_status_plan_and_figures(console, town_a, town_b):
    town_row_create("gamma")

    response = console.get("/console/")

    assert response.status_code == 200
    assert _town_names(response) == ["Alpha-sur-Mer", "Beta-les-Bains", "Gamma"]
    body = response.content.decode()
    assert '<a href="/console/villes/gamma/">Gamma</a>' in body
    assert '<a href="http://alpha.comptoir.test/">alpha.comptoir.test</a>' in body
    assert '<span class="badge badge-active">Active</span>' in body
    assert "<td>Essential</td>" in body
    assert "<td>3</td>" in body and "<td>14</td>" in body and "<td>15</td>" in body
    assert '<th scope="col">Merchants</th>' in body
    assert "<caption>3 towns</caption>" in body


def test_a_town_never_counted_shows_dashes(console, town_a):
    response = console.get("/console/?q=alpha")

    assert _town_names(response) == ["Alpha-sur-Mer"]
    assert response.content.decode().count("<td>—</td>") == 3


@pytest.mark.parametrize("extra_towns", [0, 4])
def test_answers_in_a_constant_number_of_queries(
    console, town_a, town_b, extra_towns, django_assert_num_queries
):
    for index in range(extra_towns):
        town_row_create(f"town-{index}", status=Town.Status.SUSPENDED, stats=index % 2 == 0)

    # User, user's devices, count, page of towns with their figures: each after
    # django-tenants' SET search_path
    with django_assert_num_queries(8):
        response = console.get("/console/")

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2 + extra_towns


def test_filters_by_status(console, town_a, town_b):
    town_row_create("gamma", status=Town.Status.SUSPENDED)

    response = console.get("/console/?status=suspended")

    assert _town_names(response) == ["Gamma"]


def test_searches_by_name(console, town_a, town_b):
    response = console.get("/console/?q=BAINS")

    assert _town_names(response) == ["Beta-les-Bains"]


def test_an_unknown_status_filters_nothing_and_says_so(console, town_a, town_b):
    response = console.get("/console/?status=deleted")

    assert response.status_code == 200
    assert _town_names(response) == ["Alpha-sur-Mer", "Beta-les-Bains"]
    assert "Select a valid choice" in response.content.decode()


def test_no_match_says_so(console, town_a):
    response = console.get("/console/?q=nowhere")

    assert _town_names(response) == []
    assert "No town matches." in response.content.decode()


def test_pages_keep_the_filters(console, town_a, town_b, monkeypatch):
    monkeypatch.setattr("tenants.console.views.TOWNS_PER_PAGE", 1)

    response = console.get("/console/?q=a&page=2")

    assert _town_names(response) == ["Beta-les-Bains"]
    assert 'href="?q=a&amp;page=1"' in response.content.decode()
