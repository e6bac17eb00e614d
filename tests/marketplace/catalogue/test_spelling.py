import pytest

from marketplace.catalogue.spelling import typo_distance, typos_allowed


@pytest.mark.parametrize(
    ("typed", "word", "allowed"),
    [
        ("pian", "pain", 0),  # both under 5 letters
        ("lirve", "livre", 1),
        ("bnde", "bande", 1),  # the word meant has 5 letters
        ("paine", "pain", 1),  # the word typed has 5
        ("chocolta", "chocolat", 1),
        ("confitrue", "confiture", 2),
        ("boulngrie", "boulangerie", 2),
    ],
)
def test_one_typo_from_five_letters_two_from_nine(typed, word, allowed):
    assert typos_allowed(typed, word) == allowed
    assert typos_allowed(word, typed) == allowed


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
