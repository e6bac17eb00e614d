class TownInputInvalid(Exception):
    """Provisioning input refused; `errors` maps each field to its translated messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class TownStateInvalid(Exception):
    """The town is not in a state that allows this action (e.g. deleting an active town)."""
