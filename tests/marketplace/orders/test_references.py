import re

from marketplace.orders.services.references import checkout_reference_new, order_reference_new


def test_order_references_are_short_readable_and_distinct():
    references = {order_reference_new() for _ in range(2000)}

    assert len(references) == 2000
    for reference in references:
        assert re.fullmatch(r"CMD-[2-9A-HJKMNP-TW-Z]{4}-[2-9A-HJKMNP-TW-Z]{4}", reference)
        assert len(reference) <= 16


def test_checkout_references_have_their_own_prefix():
    assert re.fullmatch(r"ACH-\w{4}-\w{4}", checkout_reference_new())
