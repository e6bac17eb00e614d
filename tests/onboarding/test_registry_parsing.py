"""The pieces of a registry row: OSM opening hours, INSEE's street types, names in capitals,
NAF codes to categories."""

from datetime import time

import pytest

from onboarding.registry.categories import naf_category_key
from onboarding.registry.osm import OpeningHoursUnreadable, opening_hours_parse
from onboarding.registry.text import street_address, title_case


def test_osm_opening_hours_become_a_week():
    week = opening_hours_parse("Mo-Fr 09:00-12:00,14:00-19:00; Sa 09:00-18:00; PH off")
    assert week == [
        *[(d, r[0], r[1]) for d in range(5) for r in ((time(9), time(12)), (time(14), time(19)))],
        (5, time(9), time(18)),
    ]
    assert opening_hours_parse("24/7") == [(d, time(0), time(0)) for d in range(7)]
    assert opening_hours_parse("Mo-Su 08:00-24:00; We off") == [
        (d, time(8), time(0)) for d in (0, 1, 3, 4, 5, 6)
    ]
    assert opening_hours_parse("Fr-Mo 10:00-18:00") == [
        (d, time(10), time(18)) for d in (0, 4, 5, 6)
    ]
    assert opening_hours_parse("10:00-18:00") == [(d, time(10), time(18)) for d in range(7)]


@pytest.mark.parametrize(
    "value",
    ["Mo-Fr sunrise-sunset", "Jan-Mar Mo 09:00-12:00", "Mo 18:00-02:00", "Mo 9h-12h", "lundi"],
)
def test_what_the_portal_cannot_read_is_refused(value):
    with pytest.raises(OpeningHoursUnreadable):
        opening_hours_parse(value)


def test_street_types_and_repetition_indexes_are_spelled_out():
    assert (
        street_address("3", "T", "AV", "DU GENERAL DE GAULLE")
        == "3 ter avenue du General de Gaulle"
    )
    assert street_address("", "", "PL", "CARNOT") == "place Carnot"
    assert street_address("7", "", "XYZ", "Rue Déjà Écrite") == "7 xyz Rue Déjà Écrite"


def test_names_in_capitals_take_a_signs_case():
    assert title_case("BOULANGERIE DU PONT") == "Boulangerie du Pont"
    assert title_case("AIX-LES-BAINS") == "Aix-les-Bains"
    assert title_case("L'ATELIER D'ANNA") == "L'Atelier d'Anna"
    assert title_case("Chez Mimi") == "Chez Mimi"


def test_naf_codes_go_to_the_most_precise_category():
    assert naf_category_key("10.71C") == "Bakery"
    assert naf_category_key("5610C") == "Takeaway"
    assert naf_category_key("47.11F") == "Food"
    assert naf_category_key("64.20Z") is None
    assert naf_category_key("") is None
