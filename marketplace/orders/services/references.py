"""References people read aloud at the counter or on the phone: short, no look-alike characters."""

import secrets

# No 0/O, 1/I/L, nor U/V: a reference is read over the phone and typed from a receipt.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
_LENGTH = 8


def _reference(prefix: str) -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
    return f"{prefix}-{body[:4]}-{body[4:]}"


def order_reference_new() -> str:
    """A new order reference ("CMD-7K2M-9QXP"); about 5·10¹¹ possibilities, unique in the table."""
    return _reference("CMD")


def checkout_reference_new() -> str:
    """A new checkout reference ("ACH-7K2M-9QXP"), shown on the confirmation page."""
    return _reference("ACH")
