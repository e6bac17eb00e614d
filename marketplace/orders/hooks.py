"""What the apps above orders lend the checkout, registered from their `AppConfig.ready()`.

The shoppers' accounts keep saved addresses; orders never names them, but asks whatever was
registered here for the address a signed-in shopper's checkout form starts with.
"""

from collections.abc import Callable

from comptoir.accounts.models import User

# Street, postcode and city for the checkout form's initial values; {} when none is known.
AddressInitial = Callable[[User], dict[str, str]]

_address_initials: list[AddressInitial] = []


def checkout_address_initial_register(source: AddressInitial) -> None:
    if source not in _address_initials:
        _address_initials.append(source)


def checkout_address_initial(*, user: User) -> dict[str, str]:
    """The first registered source that knows an address for this shopper, else {}."""
    for source in _address_initials:
        initial = source(user)
        if initial:
            return initial
    return {}
