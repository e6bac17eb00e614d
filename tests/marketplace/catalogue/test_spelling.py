import pytest

from marketplace.catalogue.spelling import typo_distance, typos_allowed


@pytest.mark.parametrize(
    ("word", "allowed"),
    [("pain", 0), ("livre", 1), ("fromage", 1), ("chocolat", 1), ("confiture", 2),
     ("boulangerie", 2)],
)  # fmt: skip
def test_one_typo_from_five_letters_two_from_nine(word, allowed):
    assert typos_allowed(word) == allowed


@pytest.mark.parametrize(
    ("typed", "word", "distance"),
    [
        ("fromage", "fromage", 0),
        ("fromge", "fromage", 1),  # dropped
        ("fromaage", "fromage", 1),  # added
        ("fromaxe", "fromage", 1),  # replaced
        ("lirve", "livre", 1),  # neighbours swapped: one typo, where Levenshtein counts two
        ("boulnagrie", "boulangerie", 2),
        ("frmge", "fromage", 2),
        ("egaumorf", "fromage", 7),
    ],
)
def test_typo_distance_counts_each_slip_once(typed, word, distance):
    assert typo_distance(typed, word) == distance
    assert typo_distance(word, typed) == distance
