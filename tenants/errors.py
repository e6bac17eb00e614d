class TownInputInvalid(Exception):
    """Provisioning input refused; `errors` maps each field to its translated messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors

    def as_text(self) -> str:
        """One line per field, for a command's error."""
        return "\n".join(f"{field}: {' '.join(msgs)}" for field, msgs in self.errors.items())


class TownStateInvalid(Exception):
    """The town is not in a state that allows this action (e.g. deleting an active town)."""


class VendorAccessRefused(Exception):
    """A vendor's link into a town's administration is forged, expired, used or for another town."""


class TwoFactorCodeInvalid(Exception):
    """The code from the authenticator app does not match (wrong, already used or throttled)."""


class VendorStaffUnknown(Exception):
    """No active vendor staff account has this e-mail address."""
