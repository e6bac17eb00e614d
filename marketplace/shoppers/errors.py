"""The shopper accounts' domain errors; each carries a translated message shown as is."""


class ShopperError(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class SignUpRefused(ShopperError):
    """No account was created."""


class FavouriteRefused(ShopperError):
    """That shop or product cannot be a favourite (not on the portal); nothing changed."""


class AccountDeletionRefused(ShopperError):
    """The account was not deleted; nothing changed."""
