"""Appointments' domain errors, turned into translated messages at the edge."""


class AppointmentError(Exception):
    """A booking or a change refused; `str(error)` is a translated message for the user."""


class AppointmentInvalid(AppointmentError):
    """The input is incomplete or wrong; `field` names the form field to show it on."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class SlotUnavailable(AppointmentError):
    """The slot is full, past, or not (any longer) offered."""


class AppointmentNotAllowed(AppointmentError):
    """This person may not do that to this shop's appointments."""


class AppointmentNotFound(AppointmentError):
    """No such appointment or rule for this shop (it may be another shop's: we do not say)."""
