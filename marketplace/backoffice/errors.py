"""The back office's domain errors, turned into translated messages at the edge."""


class StaffError(Exception):
    """A staff change refused; `str(error)` is a translated message for the owner."""


class StaffNotAllowed(StaffError):
    """Only an owner manages the staff, and never removes an owner."""


class StaffInvalid(StaffError):
    """The e-mail is not valid, or the person is already a member of the shop."""
