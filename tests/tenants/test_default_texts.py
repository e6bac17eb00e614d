"""A new town's texts name it as French does, and towns provisioned before are brought in line
unless they edited the text (migration tenants 0004)."""

from importlib import import_module

from django.apps import apps

from tenants.models import Town
from tenants.services.defaults import town_default_texts

migration = import_module("tenants.migrations.0004_default_texts_elide")


def test_a_new_towns_texts_elide_and_contract_its_name():
    assert town_default_texts(town_name="Aix-les-Bains")["tagline"] == (
        "Les commerces d’Aix-les-Bains, en ligne et près de chez vous."
    )
    assert town_default_texts(town_name="Le Havre")["legal_notice"].startswith(
        "Ce site est édité par la commune du Havre."
    )


def test_texts_still_as_provisioned_become_todays_and_edited_ones_stay(town_a):
    old = {field: text % {"town": "Aix-les-Bains"} for field, text in migration.PROVISIONED.items()}
    Town.objects.filter(pk=town_a.pk).update(
        name="Aix-les-Bains", **old | {"tagline": "Les commerces de Aix-les-Bains, au bord du lac."}
    )

    migration.default_texts_elide(apps, None)

    town = Town.objects.get(pk=town_a.pk)
    today = town_default_texts(town_name="Aix-les-Bains")
    assert town.tagline == "Les commerces de Aix-les-Bains, au bord du lac."
    assert [town.welcome_text, town.legal_notice, town.accessibility_statement] == [
        today["welcome_text"],
        today["legal_notice"],
        today["accessibility_statement"],
    ]
