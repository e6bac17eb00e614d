"""Messaging's domain errors, turned into translated messages at the edge."""


class MessagingError(Exception):
    """A message or conversation refused; `str(error)` is a translated message for the user."""


class MessageInvalid(MessagingError):
    """The message's text is empty or too long."""


class ConversationNotAllowed(MessagingError):
    """This person may not write in (or open) this conversation."""
