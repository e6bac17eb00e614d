"""French prepositions before a proper name, as a French town writes them.

"de" and "à" before a town's or a shop's name elide or contract:

    de + Annecy          → d’Annecy         à + Annecy          → à Annecy
    de + Aix-les-Bains   → d’Aix-les-Bains  à + Le Mans         → au Mans
    de + Hyères          → d’Hyères         à + Les Ulis        → aux Ulis
    de + Yvetot          → d’Yvetot         à + La Rochelle     → à La Rochelle
    de + Le Havre        → du Havre
    de + Les Sables-d’Olonne → des Sables-d’Olonne
    de + Paris, La Rochelle, Haguenau, Yutz → de Paris, de La Rochelle, de Haguenau, de Yutz

Elision comes before a vowel, a mute h (most names: Hyères, Honfleur is an exception listed
below) and a y sounded as a vowel (Yvetot, Yssingeaux: y before a consonant). "Le" and "Les"
contract when they open the name as a word of their own; "La" and "L’" never do.

How strings use it, the one way everywhere (pages, e-mails, subjects, stored default texts):
the translated string takes the whole phrase as its placeholder, never the bare name, so the
preposition moves out of the msgid into the name:

    msgid  "The shops %(of_town)s"          (English: "The shops of Annecy")
    msgstr "Les commerces %(of_town)s"      (French:  "Les commerces d’Annecy")

with `of_town = of_name(town.name)` in Python, or `{{ town.name|of_name }}` in a template
(`{% load french %}`). `of_name`, `from_name`, `to_name` and `in_name` give the phrase in the
active language: their English form goes through gettext ("of %(name)s" …), and when the
translation opens with "de " or "à " the French rules above apply to it. `de_name` and `a_name` are the rules alone.
"""

import re

from django.utils.translation import pgettext

APOSTROPHE = "\u2019"

# Names whose h is aspirated (or that the town itself writes without elision): "de Haguenau".
# Compared on the name's first word, lower-cased.
_NO_ELISION = frozenset(
    {
        "haguenau",
        "halluin",
        "ham",
        "hazebrouck",
        "hem",
        "honfleur",
        "houilles",
        "huningue",
        # Common words that open shop names, h aspiré.
        "halle",
        "halles",
        "hameau",
        "hangar",
        "haricot",
        "harpe",
        "hasard",
        "haut",
        "haute",
        "hautes",
        "hauts",
        "hérisson",
        "héron",
        "hêtre",
        "hibou",
        "homard",
        "houblon",
        "hutte",
    }
)
_VOWELS = "aàâäeéèêëiîïoôöuùûüœæ"
_FIRST_WORD = re.compile(r"[^\s\-’']+")


def _elides(name: str) -> bool:
    first = _FIRST_WORD.match(name)
    word = first.group().lower() if first else ""
    if not word or word in _NO_ELISION:
        return False
    if word[0] in _VOWELS:
        return True
    if word[0] == "h":
        return True
    # "Yvetot" sounds [i]: elided; "Yutz" sounds [j]: not.
    return word[0] == "y" and len(word) > 1 and word[1] not in _VOWELS


def _article(name: str) -> tuple[str, str] | tuple[None, str]:
    """("le" | "les", the rest) when the name opens with that article as a word, else (None, name)."""
    head, _, rest = name.partition(" ")
    lowered = head.lower()
    if rest and lowered in ("le", "les"):
        return lowered, rest
    return None, name


def de_name(name: str) -> str:
    """ "de" + a name: "d’Annecy", "du Havre", "des Ulis", "de Paris"."""
    name = name.strip()
    article, rest = _article(name)
    if article == "le":
        return f"du {rest}"
    if article == "les":
        return f"des {rest}"
    if _elides(name):
        return f"d{APOSTROPHE}{name}"
    return f"de {name}"


def a_name(name: str) -> str:
    """ "à" + a name: "à Annecy", "au Mans", "aux Ulis"."""
    name = name.strip()
    article, rest = _article(name)
    if article == "le":
        return f"au {rest}"
    if article == "les":
        return f"aux {rest}"
    return f"à {name}"


def _contracted(phrase: str) -> str:
    if phrase.startswith("de "):
        return de_name(phrase[3:])
    if phrase.startswith("à "):
        return a_name(phrase[2:])
    return phrase


def of_name(name: str) -> str:
    """ "of Annecy"; in French "d’Annecy", "du Havre"."""
    return _contracted(
        pgettext("preposition before a town or shop name", "of %(name)s") % {"name": name}
    )


def from_name(name: str) -> str:
    """ "from Le Fournil" (a message, an order); in French "du Fournil"."""
    return _contracted(
        pgettext("preposition before a town or shop name", "from %(name)s") % {"name": name}
    )


def to_name(name: str) -> str:
    """ "to Le Fournil" (back to, write to); in French "au Fournil"."""
    return _contracted(
        pgettext("preposition before a town or shop name", "to %(name)s") % {"name": name}
    )


def in_name(name: str) -> str:
    """ "in Le Mans"; in French "au Mans"."""
    return _contracted(pgettext("preposition before a town name", "in %(name)s") % {"name": name})
