"""How many typos a word of a search may hold, and how many separate two words.

The rule of Meilisearch and Typesense: one typo from 5 letters, two from 9, none under 5.
A typo is a letter dropped, added or replaced, or two neighbouring letters swapped. It is
forgiven when the word typed or the word meant is long enough: "fromge" (6 letters) for
"fromage", and "bnde" (4) for "bande" (5), whose dropped letter left four; never "pian" for
"pain", both under 5.
"""

import re

ONE_TYPO_FROM = 5
TWO_TYPOS_FROM = 9
# The words of a query: runs of letters, accented ones included ("l'épicerie" holds "l" and
# "épicerie", "kouign-amann" two words), as the lexicon splits the catalogue's text.
WORD_PATTERN = re.compile(r"[^\W\d_]+")


def typos_allowed(typed: str, word: str) -> int:
    """How many typos may turn `typed` into `word`: by the length of the longer of the two."""
    letters = max(len(typed), len(word))
    if letters >= TWO_TYPOS_FROM:
        return 2
    if letters >= ONE_TYPO_FROM:
        return 1
    return 0


def typo_distance(typed: str, word: str) -> int:
    """The fewest typos that turn `typed` into `word` (optimal string alignment distance:
    Levenshtein's, where swapping two neighbours counts once)."""
    before: list[int] = []
    previous = list(range(len(word) + 1))
    for i, letter in enumerate(typed, start=1):
        current = [i] + [0] * len(word)
        for j, other in enumerate(word, start=1):
            current[j] = min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + (letter != other),
            )
            if i > 1 and j > 1 and letter == word[j - 2] and typed[i - 2] == other:
                current[j] = min(current[j], before[j - 2] + 1)
        before, previous = previous, current
    return previous[-1]
