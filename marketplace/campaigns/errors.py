"""The campaigns' domain errors, with messages translated when raised (the request's language)."""


class CampaignError(Exception):
    """A refused campaign action."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CampaignForbidden(CampaignError):
    """Only the town's administrators manage campaigns."""


class CampaignNotFound(CampaignError):
    """No such campaign in this town."""


class CampaignInvalid(CampaignError):
    """Input refused; `errors` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(" ".join(message for messages in errors.values() for message in messages))
        self.errors = errors
