"""What Sentry would send carries no e-mail, phone number or postal address."""

from sentry_sdk.utils import event_from_exception

from comptoir.scrubbing import FILTERED, scrub, scrub_breadcrumb, scrub_event, scrub_text


def test_emails_phones_and_addresses_are_taken_out_of_text():
    text = (
        "Commande 1042 de camille.durand@aix-les-bains.demo (06 12 34 56 78, +33 6 98 76 54 32), "
        "livrée au 12 bis rue de la Paix, 73100 Aix-les-Bains : 2 pains, 1250 centimes"
    )
    assert scrub_text(text) == (
        f"Commande 1042 de {FILTERED} ({FILTERED}, {FILTERED}), "
        f"livrée au {FILTERED}, {FILTERED}: 2 pains, 1250 centimes"
    )


def test_an_escaped_email_in_a_query_string_goes_too():
    assert scrub_text("email=camille%40exemple.fr&q=pain") == f"email={FILTERED}&q=pain"


def test_personal_keys_are_filtered_whatever_their_value():
    assert scrub(
        {
            "email": "x",
            "contact_phone": "0479000000",
            "shipping_address": {"line": "3 avenue Foch", "zip": "75016"},
            "first_name": "Camille",
            "name": "Boulangerie du Port",
            "view_name": "storefront:home",
            "order_total_cents": 1250,
        }
    ) == {
        "email": FILTERED,
        "contact_phone": FILTERED,
        "shipping_address": {"line": FILTERED, "zip": FILTERED},
        "first_name": FILTERED,
        "name": "Boulangerie du Port",
        "view_name": "storefront:home",
        "order_total_cents": 1250,
    }


def test_an_exception_event_is_scrubbed_and_keeps_what_groups_it():
    try:
        shopper_email = "camille.durand@aix-les-bains.demo"
        raise ValueError(f"no account for {shopper_email}")
    except ValueError as error:
        event, _hint = event_from_exception(error)
    event["tags"] = {"town": "alpha", "request_id": "abc"}
    event["request"] = {
        "url": "https://alpha.comptoir.test/compte/",
        "query_string": "email=c%40x.fr",
    }
    event["breadcrumbs"] = {"values": [{"message": "sent to camille@x.fr", "category": "mail"}]}

    scrubbed = scrub_event(event, {})
    assert scrubbed is not None

    text = str(scrubbed)
    assert "camille" not in text and "c%40x.fr" not in text
    (exception,) = scrubbed["exception"]["values"]
    assert exception["type"] == "ValueError"
    assert exception["value"] == f"no account for {FILTERED}"
    assert scrubbed["tags"] == {"town": "alpha", "request_id": "abc"}
    assert scrubbed["request"]["url"] == "https://alpha.comptoir.test/compte/"
    frames = exception["stacktrace"]["frames"]
    assert frames[-1]["function"] == "test_an_exception_event_is_scrubbed_and_keeps_what_groups_it"
    assert event["exception"]["values"][0]["value"] != exception["value"], "the event is copied"


def test_a_breadcrumb_is_scrubbed():
    crumb = {
        "category": "query",
        "message": "SELECT … WHERE email = %s",
        "data": {"params": ["a@b.fr"]},
    }
    scrubbed = scrub_breadcrumb(crumb, {})
    assert scrubbed is not None
    assert scrubbed["data"] == {"params": [FILTERED]}
