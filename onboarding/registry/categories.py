"""Which of the town's categories a registry activity goes to.

Activities map to the names of the default category tree (marketplace.directory's
`categories_create_defaults`), most precise first; the town's category is found by the slug that
name has in English or in French, so a town that renamed a category keeps it as long as its
slug stands. An activity mapped to none is reported, not guessed.
"""

from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext

from marketplace.directory.models import Category

# NAF rév. 2 codes (without the dot) or their prefixes → default tree names; the longest prefix
# wins. Food, retail, crafts, services, restaurants and cafés, health, tourism.
NAF_CATEGORIES: dict[str, str] = {
    # Food
    "1071B": "Bakery", "1071C": "Bakery", "1071D": "Bakery", "4724": "Bakery",
    "1013B": "Delicatessen", "4722": "Butcher", "4721": "Greengrocer", "4725": "Wine shop",
    "1051C": "Cheese shop", "4711": "Food", "4723": "Food", "4729": "Food", "4781": "Food",
    "1082": "Food", "1052": "Food",
    # Retail
    "4771": "Clothing", "4772A": "Shoes", "4772B": "Accessories", "4777": "Jewellery",
    "4776": "Florist", "4752": "Hardware", "4759": "Decoration", "4753": "Decoration",
    "4751": "Decoration", "4754": "Home and garden", "4761": "Bookshop",
    "4762": "Culture and leisure", "4763": "Culture and leisure", "4764": "Sports",
    "4765": "Toys", "4741": "Culture and leisure", "4742": "Culture and leisure",
    "4743": "Culture and leisure", "4778C": "Decoration", "4779": "Decoration",
    "4782": "Fashion", "4719": "Home and garden",
    # Crafts
    "2341": "Pottery", "2342": "Pottery", "1629": "Woodwork", "3109": "Woodwork",
    "1512": "Leather goods", "3212": "Jewellery", "3213": "Jewellery", "1392": "Crafts",
    "1413": "Crafts", "3220": "Crafts", "9524": "Woodwork",
    # Services
    "9601": "Dry cleaning", "7420": "Photography", "9511": "Repairs", "9512": "Repairs",
    "9521": "Repairs", "9522": "Repairs", "9523": "Repairs", "9525": "Repairs",
    "9529": "Repairs", "4520": "Repairs", "9602A": "Hairdresser", "9602B": "Beauty salon",
    "9604": "Beauty and health", "7722": "Services", "7729": "Services", "6831": "Services",
    "9603": "Services", "8230": "Services", "7911": "Tourism and leisure",
    # Restaurants and cafés
    "5610A": "Restaurant", "5610B": "Restaurant", "5610C": "Takeaway", "5621": "Takeaway",
    "5630": "Café",
    # Health
    "4773": "Pharmacy", "4774": "Beauty and health", "4775": "Beauty and health",
    "4778A": "Beauty and health", "8621": "Beauty and health", "8622": "Beauty and health",
    "8623": "Beauty and health", "8690": "Beauty and health", "7500": "Beauty and health",
    # Tourism
    "5510": "Tourism and leisure", "5520": "Tourism and leisure", "5530": "Tourism and leisure",
    "7912": "Tourism and leisure", "7990": "Tourism and leisure", "9102": "Tourism and leisure",
    "9103": "Tourism and leisure", "9104": "Tourism and leisure", "9321": "Tourism and leisure",
    "9329": "Tourism and leisure", "9311": "Tourism and leisure",
}  # fmt: skip

# OpenStreetMap's shop=* and amenity=* values → default tree names.
OSM_CATEGORIES: dict[str, str] = {
    "bakery": "Bakery", "pastry": "Bakery", "confectionery": "Bakery", "butcher": "Butcher",
    "deli": "Delicatessen", "greengrocer": "Greengrocer", "cheese": "Cheese shop",
    "wine": "Wine shop", "alcohol": "Wine shop", "supermarket": "Food", "convenience": "Food",
    "seafood": "Food", "organic": "Food", "farm": "Food", "chocolate": "Food", "tea": "Food",
    "coffee": "Food", "clothes": "Clothing", "shoes": "Shoes", "jewelry": "Jewellery",
    "bag": "Accessories", "fashion_accessories": "Accessories", "leather": "Leather goods",
    "florist": "Florist", "garden_centre": "Home and garden", "interior_decoration": "Decoration",
    "furniture": "Decoration", "gift": "Decoration", "hardware": "Hardware",
    "doityourself": "Hardware", "books": "Bookshop", "toys": "Toys", "sports": "Sports",
    "bicycle": "Sports", "music": "Culture and leisure", "art": "Culture and leisure",
    "hairdresser": "Hairdresser", "beauty": "Beauty salon", "cosmetics": "Beauty and health",
    "chemist": "Beauty and health", "optician": "Beauty and health", "pharmacy": "Pharmacy",
    "doctors": "Beauty and health", "dentist": "Beauty and health", "dry_cleaning": "Dry cleaning",
    "laundry": "Dry cleaning", "photo": "Photography", "repair": "Repairs",
    "shoe_repair": "Repairs", "mobile_phone": "Repairs", "computer": "Repairs",
    "craft": "Crafts", "pottery": "Pottery", "restaurant": "Restaurant", "cafe": "Café",
    "bar": "Café", "pub": "Café", "fast_food": "Takeaway", "ice_cream": "Takeaway",
    "travel_agency": "Tourism and leisure", "cinema": "Culture and leisure",
    "theatre": "Culture and leisure", "arts_centre": "Culture and leisure",
}  # fmt: skip

# Where each precise name falls back when the town has removed it (its parent in the tree).
PARENTS: dict[str, str] = {
    "Bakery": "Food", "Butcher": "Food", "Delicatessen": "Food", "Greengrocer": "Food",
    "Cheese shop": "Food", "Wine shop": "Food", "Clothing": "Fashion", "Shoes": "Fashion",
    "Jewellery": "Fashion", "Accessories": "Fashion", "Florist": "Home and garden",
    "Decoration": "Home and garden", "Hardware": "Home and garden",
    "Bookshop": "Culture and leisure", "Toys": "Culture and leisure",
    "Sports": "Culture and leisure", "Pottery": "Crafts", "Woodwork": "Crafts",
    "Leather goods": "Crafts", "Hairdresser": "Beauty and health",
    "Beauty salon": "Beauty and health", "Pharmacy": "Beauty and health",
    "Repairs": "Services", "Dry cleaning": "Services", "Photography": "Services",
    "Restaurant": "Restaurants and cafés", "Café": "Restaurants and cafés",
    "Takeaway": "Restaurants and cafés",
}  # fmt: skip


def naf_category_key(code: str) -> str | None:
    """The default tree's name for a NAF code ("56.10A", "5610A"), or None when unmapped."""
    code = code.replace(".", "").strip().upper()
    for length in range(len(code), 1, -1):
        key = NAF_CATEGORIES.get(code[:length])
        if key:
            return key
    return None


def osm_category_key(value: str) -> str | None:
    return OSM_CATEGORIES.get(value.strip().lower())


class TownCategories:
    """The town's categories, read once for a whole import: a default tree name → its id."""

    def __init__(self) -> None:
        self._ids = dict(Category.objects.values_list("slug", "pk"))
        self._found: dict[str, int | None] = {}

    def _slugs(self, name: str) -> list[str]:
        slugs = [slugify(name)]
        for language in ("fr", "en"):
            with translation.override(language):
                slugs.append(slugify(gettext(name)))
        return slugs

    def category_id(self, key: str) -> int | None:
        if key not in self._found:
            found = None
            name: str | None = key
            while name and found is None:
                found = next((self._ids[s] for s in self._slugs(name) if s in self._ids), None)
                name = PARENTS.get(name)
            self._found[key] = found
        return self._found[key]
