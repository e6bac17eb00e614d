"""The catalogue's domain errors, turned into translated messages at the edge."""


class ProductInvalid(Exception):
    """Product input refused; `errors` maps each field to its translated messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class ProductNotFound(Exception):
    """No such product for this merchant (it may be another merchant's: we do not say)."""
