"""The French prepositions before a town's or a shop's name: elision and contraction."""

import pytest
from django.template import Context, Template
from django.utils import translation

from comptoir.french import a_name, de_name, in_name, of_name, to_name

TOWNS = [
    # name, de + name, à + name
    ("Annecy", "d’Annecy", "à Annecy"),
    ("Aix-les-Bains", "d’Aix-les-Bains", "à Aix-les-Bains"),
    ("Le Havre", "du Havre", "au Havre"),
    ("Les Ulis", "des Ulis", "aux Ulis"),
    ("Le Mans", "du Mans", "au Mans"),
    ("Les Sables-d'Olonne", "des Sables-d'Olonne", "aux Sables-d'Olonne"),
    ("Hyères", "d’Hyères", "à Hyères"),
    ("Paris", "de Paris", "à Paris"),
    ("Yvetot", "d’Yvetot", "à Yvetot"),
    ("Yutz", "de Yutz", "à Yutz"),
    ("Évian", "d’Évian", "à Évian"),
    ("Orléans", "d’Orléans", "à Orléans"),
    ("La Rochelle", "de La Rochelle", "à La Rochelle"),
    ("L’Isle-Adam", "de L’Isle-Adam", "à L’Isle-Adam"),
    ("Haguenau", "de Haguenau", "à Haguenau"),
    ("Lens", "de Lens", "à Lens"),
    ("Lesneven", "de Lesneven", "à Lesneven"),
    ("Le Fournil", "du Fournil", "au Fournil"),
    ("Au Bon Pain", "d’Au Bon Pain", "à Au Bon Pain"),
    ("Œuf et Cie", "d’Œuf et Cie", "à Œuf et Cie"),
]


@pytest.mark.parametrize(("name", "of", "to"), TOWNS)
def test_de_and_a_elide_and_contract_as_french_writes(name, of, to):
    assert de_name(name) == of
    assert a_name(name) == to


def test_the_phrases_follow_the_active_language():
    with translation.override("fr"):
        assert [of_name("Aix-les-Bains"), to_name("Le Fournil"), in_name("Les Ulis")] == [
            "d’Aix-les-Bains",
            "au Fournil",
            "aux Ulis",
        ]
    with translation.override("en"):
        assert [of_name("Aix-les-Bains"), to_name("Le Fournil"), in_name("Les Ulis")] == [
            "of Aix-les-Bains",
            "to Le Fournil",
            "in Les Ulis",
        ]


def test_the_template_filters_give_the_same_phrases():
    template = Template(
        "{% load french %}{{ town|of_name }} · {{ shop|to_name }} · {{ town|in_name }}"
    )

    with translation.override("fr"):
        rendered = template.render(Context({"town": "Le Mans", "shop": "Épicerie Marie"}))

    assert rendered == "du Mans · à Épicerie Marie · au Mans"
