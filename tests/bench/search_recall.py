"""Typo recall benchmark: how often one slip of the keyboard still finds what the right spelling
finds, with the search's spelling correction and without it (the baseline), in the same run.

Run alone: `python -m tests.bench.search_recall` (`python -m tests.bench.search` runs it after
the timings). It works in the search benchmark's database, on the demo catalogue of
Aix-les-Bains (seeded there once, then kept).

The cases: every word of 5 letters or more in the titles of the town's published products,
spelt as the catalogue spells it, and for each, one slip at a time: a letter dropped, two
neighbours swapped, a letter replaced by another (never the first letter; positions and
letters drawn from a seeded generator). A case succeeds when its search finds at least half
of the products the right spelling finds. Target: 95 % of the cases.
"""

import random
import statistics
import string
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tenants.models import Town

DEMO_TOWN_SLUG = "aix-les-bains"
MIN_LETTERS = 5
POSITIONS_PER_KIND = 2
TARGET_SHARE = 0.95
SEED = 8
KINDS = ("drop", "swap", "replace")


@dataclass(frozen=True)
class Case:
    word: str
    typed: str
    kind: str


def typo_cases(words: list[str], *, positions: int = POSITIONS_PER_KIND, seed: int = SEED):
    """For each word, up to `positions` variants of each kind of slip, never at the first
    letter, each different from the word."""
    rng = random.Random(seed)
    cases: list[Case] = []
    for word in words:
        places = list(range(1, len(word)))
        for kind in KINDS:
            if kind == "swap":
                candidates = [i for i in places[:-1] if word[i] != word[i + 1]]
            else:
                candidates = places
            for i in sorted(rng.sample(candidates, min(positions, len(candidates)))):
                if kind == "drop":
                    typed = word[:i] + word[i + 1 :]
                elif kind == "swap":
                    typed = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
                else:
                    typed = word[:i] + rng.choice(string.ascii_lowercase.replace(word[i], ""))
                    typed += word[i + 1 :]
                cases.append(Case(word=word, typed=typed, kind=kind))
    return cases


def catalogue_words(*, min_letters: int = MIN_LETTERS) -> list[str]:
    """The distinct words of `min_letters` or more in the current town's visible titles,
    lower case, accents kept."""
    from marketplace.catalogue.selectors import products_visible
    from marketplace.catalogue.spelling import WORD_PATTERN

    words = {
        word.lower()
        for title in products_visible().values_list("title", flat=True)
        for word in WORD_PATTERN.findall(title)
        if len(word) >= min_letters
    }
    return sorted(words)


@dataclass
class Recall:
    cases: int
    corrected: Counter = field(default_factory=Counter)  # successes per kind
    baseline: Counter = field(default_factory=Counter)
    per_kind: Counter = field(default_factory=Counter)
    misses: list[Case] = field(default_factory=list)

    def share(self, successes: Counter, kind: str | None = None) -> float:
        if kind is None:
            return sum(successes.values()) / self.cases if self.cases else 0.0
        return successes[kind] / self.per_kind[kind] if self.per_kind[kind] else 0.0


def recall_measure(cases: list[Case]) -> Recall:
    """Search each case with and without the correction, in the current town."""
    from marketplace.catalogue.selectors import products_search

    def found(q: str, *, with_corrections: bool = True) -> set[int]:
        results = products_search(
            q=q, per_page=100_000, with_facets=False, with_merchants=False,
            with_corrections=with_corrections,
        )  # fmt: skip
        return {product.pk for product in results.products}

    right: dict[str, set[int]] = {}
    recall = Recall(cases=0)
    for case in cases:
        if case.word not in right:
            right[case.word] = found(case.word)
        expected = right[case.word]
        if not expected:
            continue
        recall.cases += 1
        recall.per_kind[case.kind] += 1

        def enough(hits: set[int], expected: set[int] = expected) -> bool:
            return 2 * len(hits & expected) >= len(expected)

        if enough(found(case.typed)):
            recall.corrected[case.kind] += 1
        else:
            recall.misses.append(case)
        if enough(found(case.typed, with_corrections=False)):
            recall.baseline[case.kind] += 1
    return recall


def recall_report(recall: Recall, *, words: int, products: int) -> str:
    lines = [
        f"\nTypo recall — demo catalogue of {DEMO_TOWN_SLUG}: {products} products, {words} words "
        f"of ≥ {MIN_LETTERS} letters, {recall.cases} one-slip cases",
        "share of cases finding at least half of what the right spelling finds:",
    ]
    for kind in (*KINDS, None):
        label = kind or "all"
        count = recall.per_kind[kind] if kind else recall.cases
        lines.append(
            f"  {label:<8} ({count:>4} cases)   corrected {recall.share(recall.corrected, kind):6.1%}"
            f"   baseline (no correction) {recall.share(recall.baseline, kind):6.1%}"
        )
    share = recall.share(recall.corrected)
    verdict = "met" if share >= TARGET_SHARE else "MISSED"
    lines.append(f"target: ≥ {TARGET_SHARE:.0%} of the cases — {verdict}")
    if recall.misses:
        shown = ", ".join(f"{case.typed} ({case.word})" for case in recall.misses[:12])
        lines.append(f"missed, for example: {shown}")
    return "\n".join(lines)


def demo_town_ensure() -> "Town":
    """Aix-les-Bains with its demo content, made once in the current database."""
    from django.core.management import call_command

    from marketplace.demo.towns import DEMO_TOWNS, demo_town_content_ensure
    from marketplace.demo.towns import demo_town_ensure as town_ensure

    call_command("platform_setup", verbosity=0)
    demo = next(demo for demo in DEMO_TOWNS if demo.slug == DEMO_TOWN_SLUG)
    town, _created = town_ensure(demo)
    demo_town_content_ensure(town)
    return town


def run(*, town_ensure: Callable[[], "Town"] = demo_town_ensure) -> Recall:
    from django_tenants.utils import schema_context

    from marketplace.catalogue.selectors import products_visible

    town = town_ensure()
    with schema_context(town.schema_name):
        words = catalogue_words()
        recall = recall_measure(typo_cases(words))
        products = products_visible().count()
    print(recall_report(recall, words=len(words), products=products), flush=True)
    median_length = statistics.median(len(word) for word in words) if words else 0
    print(f"(median word length {median_length:.0f} letters)", flush=True)
    return recall


def main() -> None:
    from tests.bench.search import _settings_for_bench

    _settings_for_bench()
    run()


if __name__ == "__main__":
    main()
