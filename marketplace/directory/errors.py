"""Refusals of the directory's services, each with a message ready for the user.

Messages are translated when raised (the active language is the request's); views show them.
"""


class DirectoryError(Exception):
    """A refused directory action. `messages` lists every reason, `field` names the input at
    fault when there is one."""

    def __init__(self, *messages: str, field: str | None = None) -> None:
        super().__init__(*messages)
        self.messages = list(messages)
        self.field = field

    @property
    def message(self) -> str:
        return " ".join(self.messages)


class NotAllowed(DirectoryError):
    """The actor may not do this to this merchant."""


class ApplicationNotPending(DirectoryError):
    """The merchant's application was already decided."""


class InvalidMerchantData(DirectoryError):
    """Profile fields that do not validate; `errors` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(*(message for messages in errors.values() for message in messages))
        self.errors = errors


class InvalidOpeningHours(DirectoryError):
    """Opening ranges that overlap, end before they start, or fall on a past day."""


class StaffError(DirectoryError):
    """A change to a shop's staff refused; `str(error)` is a translated message for the owner."""


class StaffNotAllowed(StaffError):
    """Only an owner manages the staff, and never removes an owner."""


class StaffInvalid(StaffError):
    """The e-mail is not valid, or the person is already a member of the shop."""
