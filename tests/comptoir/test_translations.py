"""Every user-facing string has a French translation, and the compiled catalogue is current."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

PO_PATH = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_every_french_entry_is_translated():
    catalogue = polib.pofile(str(PO_PATH))

    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_sources():
    source = {
        (e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(PO_PATH)).translated_entries()
    }
    compiled = {
        (e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(PO_PATH.with_suffix(".mo")))
    }

    assert {k: v for k, v in compiled.items() if k[1]} == source


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    """Extract the strings afresh and check none is missing from the French catalogue."""
    project = Path(settings.BASE_DIR)
    workdir = tmp_path / "project"
    shutil.copytree(
        project,
        workdir,
        ignore=shutil.ignore_patterns(".venv", ".data", ".git", "tests", "locale", "__pycache__"),
    )
    (workdir / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete"],
        cwd=workdir,
        check=True,
        capture_output=True,
        env={"DJANGO_SETTINGS_MODULE": "comptoir.settings.test", "PATH": "/usr/bin:/bin"},
    )
    extracted = {e.msgid for e in polib.pofile(str(workdir / "locale/fr/LC_MESSAGES/django.po"))}
    known = {e.msgid for e in polib.pofile(str(PO_PATH))}

    assert sorted(extracted - known) == []


def test_pages_speak_french_by_default(client_a):
    body = client_a.get("/mentions-legales/").content.decode()

    assert 'lang="fr"' in body
    assert "Mentions légales" in body


NARROW_NO_BREAK_SPACE = "\u202f"
# A mark is punctuation when it ends the text or a word is over after it; not in "https://",
# "10:30", "4,5:1" or "?categorie=" (a URL's query), where a letter, digit or "/" follows.
_PUNCTUATION = re.compile(r"(?<![:;?!])[:;?!](?=$|[\s)»”\"<.…])")


def french_punctuation_faults(text: str) -> list[str]:
    """Each high mark (: ; ? !) not preceded by a narrow no-break space, shown in context."""
    return [
        text[max(0, mark.start() - 20) : mark.end() + 5]
        for mark in _PUNCTUATION.finditer(text)
        if text[mark.start() - 1 : mark.start()] != NARROW_NO_BREAK_SPACE
    ]


def test_the_fault_finder_tells_french_punctuation_from_urls_times_and_ratios():
    assert french_punctuation_faults("Total\u202f: 3 €\u202f; merci\u202f! Et ensuite\u202f?") == []
    assert french_punctuation_faults("https://a.fr/?q=1 à 10:30, ratio %(ratio)s:1") == []
    assert french_punctuation_faults("Ah\u202f?!") == []
    assert french_punctuation_faults("Total : 3") == ["Total : 3"]
    assert french_punctuation_faults("Total\xa0:") == ["Total\xa0:"]
    assert len(french_punctuation_faults("Total: 3 ; oui? non!")) == 4


def test_french_translations_put_a_narrow_no_break_space_before_high_marks():
    faults = {
        entry.msgid: fault
        for entry in polib.pofile(str(PO_PATH))
        if entry.msgid
        for text in (entry.msgstr, *entry.msgstr_plural.values())
        for fault in french_punctuation_faults(text)
    }

    assert faults == {}
