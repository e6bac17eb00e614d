"""Registry text as people write it: "BD VICTOR HUGO" becomes "boulevard Victor Hugo"."""

import re

# INSEE's street types (typeVoieEtablissement), spelled out.
STREET_TYPES: dict[str, str] = {
    "ALL": "allée", "AV": "avenue", "BD": "boulevard", "BRG": "bourg", "CAR": "carrefour",
    "CHE": "chemin", "CHEM": "chemin", "CHS": "chaussée", "CITE": "cité", "CLOS": "clos",
    "COR": "corniche", "CRS": "cours", "CTRE": "centre", "DOM": "domaine", "DSC": "descente",
    "ECA": "écart", "ESP": "esplanade", "FG": "faubourg", "GR": "grande rue", "HAM": "hameau",
    "HLE": "halle", "IMP": "impasse", "LD": "lieu-dit", "LOT": "lotissement", "MAR": "marché",
    "MTE": "montée", "PARC": "parc", "PAS": "passage", "PASS": "passage", "PL": "place",
    "PLN": "plaine", "PLT": "plateau", "PONT": "pont", "PORT": "port", "PRO": "promenade",
    "PRV": "parvis", "PTR": "petite rue", "QUA": "quartier", "QUAI": "quai", "QUAR": "quartier",
    "R": "rue", "RES": "résidence", "RLE": "ruelle", "ROC": "rocade", "RPT": "rond-point",
    "RTE": "route", "RUE": "rue", "SEN": "sentier", "SENT": "sentier", "SQ": "square",
    "TPL": "terre-plein", "TRA": "traverse", "VLA": "villa", "VLGE": "village", "VOIE": "voie",
    "ZA": "zone artisanale", "ZAC": "zone d’aménagement concerté", "ZI": "zone industrielle",
}  # fmt: skip
REPETITION_INDEXES: dict[str, str] = {"B": "bis", "T": "ter", "Q": "quater", "C": "quinquies"}

_SMALL_WORDS = {"de", "du", "des", "la", "le", "les", "et", "en", "sur", "sous", "aux", "au", "à"}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


def _word_case(match: re.Match[str], *, inside: bool) -> str:
    word = match.group(0).lower()
    inside = inside or match.start() > 0
    if inside and word in _SMALL_WORDS:
        return word
    if word[:2] in ("d'", "l'", "d’", "l’") and len(word) > 2:
        return (word[:2] if inside else word[:2].capitalize()) + word[2:].capitalize()
    return word.capitalize()


def title_case(text: str, *, inside: bool = False) -> str:
    """A name written in capitals, in the case a sign has ("BOULANGERIE DU PONT" → "Boulangerie
    du Pont", "AIX-LES-BAINS" → "Aix-les-Bains"); a name already in mixed case is kept.
    `inside`: the text follows other words ("DES ANGLAIS" after "boulevard")."""
    text = " ".join(text.split())
    if text != text.upper():
        return text
    return _WORD.sub(lambda match: _word_case(match, inside=inside), text)


def street_address(number: str, repetition: str, street_type: str, street: str) -> str:
    """ "12", "B", "BD", "VICTOR HUGO" → "12 bis boulevard Victor Hugo"."""
    parts = [number.strip()]
    repetition = repetition.strip().upper()
    if repetition:
        parts.append(REPETITION_INDEXES.get(repetition, repetition.lower()))
    street_type = street_type.strip().upper()
    if street_type:
        parts.append(STREET_TYPES.get(street_type, street_type.lower()))
    parts.append(title_case(street.strip(), inside=bool(street_type)))
    return " ".join(part for part in parts if part)
