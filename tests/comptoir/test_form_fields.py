"""The platform's shared form fields: euros, phone numbers and bounded free text."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation

from comptoir.forms import EurosField, LongTextField, PhoneField
from comptoir.money import cents_as_typed, euros_parse
from comptoir.phones import phone_display, phone_normalise


class MoneyForm(forms.Form):
    price = EurosField(min_cents=1)
    fee = EurosField(max_cents=100_000, required=False)


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("3,50", 350), ("3.50", 350), ("3", 300), ("3,5", 350), (" 1 234,05 €", 123405),
     ("1\u202f234,50\u00a0€", 123450), ("0,99", 99), ("0", 0), ("007", 700)],
)  # fmt: skip
def test_euros_parse_reads_what_people_type(typed, cents):
    assert euros_parse(typed) == cents


@pytest.mark.parametrize(
    ("typed", "code"),
    [("-3", "negative"), ("−3,50", "negative"), ("3,505", "decimals"), ("trois", "invalid"),
     ("1e3", "invalid"), ("3,50,1", "invalid"), ("3,", "invalid"), ("", "invalid"),
     ("1000000,01", "max_value"), ("9" * 1000, "max_value")],
)  # fmt: skip
def test_euros_parse_refuses_with_the_reason(typed, code):
    with pytest.raises(ValidationError) as refused:
        euros_parse(typed)

    assert refused.value.code == code


def test_cents_as_typed():
    assert [cents_as_typed(c) for c in (350, 5, 123456, 0)] == ["3,50", "0,05", "1234,56", "0,00"]


def test_the_field_cleans_euros_to_cents_and_says_what_is_wrong_in_french():
    with translation.override("fr"):
        good = MoneyForm({"price": "3,50", "fee": "0"})
        zero = MoneyForm({"price": "0", "fee": "-1"})
        absurd = MoneyForm({"price": "3.505", "fee": "5000"})

        assert good.is_valid(), good.errors
        assert good.cleaned_data == {"price": 350, "fee": 0}
        assert not zero.is_valid()
        assert zero.errors["price"] == ["Le montant est d’au moins 0,01\u00a0€."]
        assert zero.errors["fee"] == ["Le montant ne peut pas être négatif."]
        assert not absurd.is_valid()
        assert absurd.errors["price"] == [
            "Au plus deux décimales (les centimes), par exemple 3,50."
        ]
        assert absurd.errors["fee"] == [
            "Le montant est d’au plus 1\u202f000,00\u00a0€\u202f: vérifiez-le."
        ]


def test_an_empty_optional_amount_is_none_and_cents_are_shown_back_in_euros():
    form = MoneyForm(initial={"price": 350, "fee": 690})

    empty_fee = MoneyForm({"price": "1", "fee": ""})
    assert empty_fee.is_valid()
    assert empty_fee.cleaned_data["fee"] is None
    assert 'value="3,50"' in str(form["price"]) and 'value="6,90"' in str(form["fee"])
    assert 'inputmode="decimal"' in str(form["price"])
    assert not MoneyForm(
        {"price": "3.50", "fee": "6,9"}, initial={"price": 350, "fee": 690}
    ).has_changed()


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [("04 79 00 00 00", "+33479000000", "04 79 00 00 00"),
     ("0479000000", "+33479000000", "04 79 00 00 00"),
     ("+33 6 12 34 56 78", "+33612345678", "06 12 34 56 78"),
     ("0033 6 12 34 56 78", "+33612345678", "06 12 34 56 78"),
     ("0262 12 34 56", "+262262123456", "0262 12 34 56"),
     ("+44 20 7946 0958", "+442079460958", "+44 20 7946 0958"),
     ("+1 202-555-0123", "+12025550123", "+1 202-555-0123"),
     ("", "", "")],
)  # fmt: skip
def test_phones_are_stored_in_e164_and_shown_as_dialled(typed, stored, shown):
    assert phone_normalise(typed) == stored
    assert phone_display(stored) == shown


@pytest.mark.parametrize(
    "typed", ["abc", "123", "06 12 34 56", "06 12 34 56 78 90", "+99 1234", "0" * 40]
)
def test_what_is_not_a_phone_number_is_refused(typed):
    with pytest.raises(ValidationError) as refused:
        phone_normalise(typed)

    assert refused.value.code == "phone"


def test_the_phone_field_cleans_to_e164_and_shows_the_stored_number_as_dialled():
    class ContactForm(forms.Form):
        phone = PhoneField(required=False)

    with translation.override("fr"):
        refused = ContactForm({"phone": "abc"})
        assert not refused.is_valid()
        assert refused.errors["phone"] == [
            "Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78 ou, depuis "
            "l’étranger, +44 20 7946 0958."
        ]
    accepted = ContactForm({"phone": "06 12 34 56 78"})
    assert accepted.is_valid() and accepted.cleaned_data["phone"] == "+33612345678"
    shown = str(ContactForm(initial={"phone": "+33612345678"})["phone"])
    assert 'value="06 12 34 56 78"' in shown and 'type="tel"' in shown


def test_the_phone_filter_shows_old_free_texts_as_they_are():
    template = Template("{% load phones %}{{ a|phone }}|{{ b|phone }}|{{ c|phone }}")

    assert template.render(Context({"a": "+33479000000", "b": "le matin", "c": None})) == (
        "04 79 00 00 00|le matin|"
    )


def test_a_long_text_says_its_limit_in_its_help_and_its_error_in_french():
    class NoteForm(forms.Form):
        note = LongTextField(max_length=5000, help_text="Pour la boutique.")

    with translation.override("fr"):
        form = NoteForm({"note": "a" * 5001})
        assert not form.is_valid()
        assert form.errors["note"] == ["Au plus 5000 caractères (ce texte en a 5001)."]
        assert str(form["note"].help_text) == "Pour la boutique. 5\u00a0000 caractères au plus."
        assert 'maxlength="5000"' in str(form["note"])
    assert NoteForm({"note": "a" * 5000}).is_valid()
