from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from marketplace.directory.models import Category


def _default_tree() -> list[tuple[str, str, list[str]]]:
    kind = Category.Kind
    return [
        (_("Food"), kind.SHOP, [_("Bakery"), _("Butcher"), _("Delicatessen"), _("Greengrocer"), _("Cheese shop"), _("Wine shop")]),
        (_("Fashion"), kind.SHOP, [_("Clothing"), _("Shoes"), _("Jewellery"), _("Accessories")]),
        (_("Home and garden"), kind.SHOP, [_("Florist"), _("Decoration"), _("Hardware")]),
        (_("Culture and leisure"), kind.SHOP, [_("Bookshop"), _("Toys"), _("Sports")]),
        (_("Crafts"), kind.SHOP, [_("Pottery"), _("Woodwork"), _("Leather goods")]),
        (_("Beauty and health"), kind.SHOP, [_("Hairdresser"), _("Beauty salon"), _("Pharmacy")]),
        (_("Services"), kind.SHOP, [_("Repairs"), _("Dry cleaning"), _("Photography")]),
        (_("Restaurants and cafés"), kind.SHOP, [_("Restaurant"), _("Café"), _("Takeaway")]),
        (_("Associations"), kind.ASSOCIATION, []),
        (_("Public services"), kind.PUBLIC_SERVICE, []),
        (_("Tourism and leisure"), kind.TOURISM, []),
    ]  # fmt: skip


@transaction.atomic
def categories_create_defaults() -> int:
    """Give a new town its starting category tree, in the active language. Idempotent."""
    created = 0
    for position, (name, kind, children) in enumerate(_default_tree()):
        parent, made = Category.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "kind": kind, "position": position}
        )
        created += made
        for child_position, child in enumerate(children):
            _child, made = Category.objects.get_or_create(
                slug=slugify(child),
                defaults={
                    "name": child,
                    "kind": kind,
                    "parent": parent,
                    "position": child_position,
                },
            )
            created += made
    return created
