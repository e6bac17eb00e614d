"""Search benchmark: a town of 1,000 merchants and 50,000 products, then the search's timings.

Run alone: `python -m tests.bench.search` (with `python -m comptoir.devenv` in front when
DATABASE_URL is not set). It works in its own database, `comptoir_bench_search`, on the server
of DATABASE_URL, made and migrated on the first run; the generated town is kept, so later runs
only measure. `run()` does the same for a caller that has set Django up.

It prints, for ~50 French queries (words, plurals, accents, typos, shop names), the median and
p95 server time and the SQL query count of the search selector and of the /recherche/ page
(Django's test client on the town's host, through the whole middleware stack), and their ratio
to a minimal view on the same tenant-routed stack. Target: search under 50 ms.
"""

import os
import random
import statistics
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

BENCH_DATABASE = "comptoir_bench_search"
TOWN_SLUG = "bench-search"
MERCHANTS = 1_000
PRODUCTS = 50_000
TARGET_MS = 50.0
REPEAT = 3

# What the generator sells, by trade: product nouns and how they come.
# fmt: off
TRADES: dict[str, dict[str, list[str]]] = {
    "Épicerie": {
        "shops": ["Épicerie", "Épicerie fine", "Comptoir", "Maison", "Cave et épicerie"],
        "nouns": ["Confiture", "Miel", "Huile d'olive", "Terrine", "Biscuits", "Thé", "Café",
                  "Chocolat", "Pâtes", "Moutarde", "Vinaigre", "Sel de Guérande", "Tapenade",
                  "Coffret épicerie fine", "Sirop", "Caramel au beurre salé", "Nougat"],
        "styles": ["artisanal", "bio", "de Savoie", "à l'ancienne", "du terroir", "aux noix",
                   "à la framboise", "fait maison", "de montagne", "aux épices", "en bocal"],
    },
    "Boulangerie": {
        "shops": ["Boulangerie", "Boulangerie-pâtisserie", "Fournil", "Au Pain"],
        "nouns": ["Pain de campagne", "Baguette", "Brioche", "Croissant", "Pain au chocolat",
                  "Tarte aux pommes", "Éclair", "Fougasse", "Pain aux céréales", "Galette",
                  "Chausson aux pommes", "Kouign-amann", "Flan pâtissier"],
        "styles": ["au levain", "tradition", "bio", "pur beurre", "aux graines", "complet",
                   "à partager", "individuel", "maison", "aux noisettes"],
    },
    "Mode": {
        "shops": ["Boutique", "Atelier", "Dressing", "Maison de couture", "Friperie"],
        "nouns": ["Pull", "Écharpe", "Chemise", "Robe", "Veste", "Jean", "Manteau", "Bonnet",
                  "Chaussettes", "T-shirt", "Gilet", "Pantalon", "Jupe", "Casquette"],
        "styles": ["en laine", "en lin", "en coton bio", "rayé", "en cuir", "à fleurs",
                   "mérinos", "vintage", "oversize", "brodé", "made in France", "en denim"],
    },
    "Chaussures": {
        "shops": ["Chausseur", "Cordonnerie", "Pas à Pas", "Souliers"],
        "nouns": ["Baskets", "Bottines", "Sandales", "Mocassins", "Escarpins", "Chaussons",
                  "Bottes", "Derbies", "Espadrilles"],
        "styles": ["en cuir", "en daim", "vegan", "de randonnée", "pour enfant", "à lacets",
                   "imperméables", "fourrées", "cousues main"],
    },
    "Fleuriste": {
        "shops": ["Fleurs", "Fleuriste", "L'Atelier floral", "Jardin"],
        "nouns": ["Bouquet", "Plante verte", "Orchidée", "Composition florale", "Couronne",
                  "Cactus", "Bonsaï", "Rosier", "Jardinière", "Terrarium"],
        "styles": ["de saison", "de roses", "champêtre", "séché", "en pot", "pour mariage",
                   "blanc", "pastel", "sauvage", "d'intérieur"],
    },
    "Librairie": {
        "shops": ["Librairie", "Bouquiniste", "La Page", "Le Livre ouvert"],
        "nouns": ["Roman", "Bande dessinée", "Livre de cuisine", "Guide de randonnée",
                  "Album jeunesse", "Carnet", "Agenda", "Carte postale", "Manga", "Polar"],
        "styles": ["illustré", "dédicacé", "d'occasion", "en poche", "régional", "relié",
                   "pour enfants", "grand format", "édition collector"],
    },
    "Artisanat": {
        "shops": ["Atelier", "Poterie", "Ébénisterie", "Maroquinerie", "Créations"],
        "nouns": ["Bol", "Vase", "Tasse", "Planche à découper", "Bougie", "Savon", "Sac",
                  "Portefeuille", "Ceinture", "Bijou", "Bracelet", "Collier", "Boucles d'oreilles",
                  "Lampe", "Cuillère"],
        "styles": ["en céramique", "en grès", "en bois d'olivier", "en noyer", "parfumé",
                   "au lait d'ânesse", "en cuir", "en argent", "émaillé", "fait main", "tourné"],
    },
    "Fromagerie": {
        "shops": ["Fromagerie", "Crémerie", "La Cloche à fromage"],
        "nouns": ["Tomme", "Reblochon", "Beaufort", "Comté", "Chèvre frais", "Raclette",
                  "Beurre", "Yaourt", "Crème fraîche", "Plateau de fromages"],
        "styles": ["fermier", "au lait cru", "affiné 12 mois", "de Savoie", "AOP", "bio",
                   "à la coupe", "demi-sel"],
    },
    "Cave": {
        "shops": ["Cave", "Caviste", "Les Vins de", "Bar à vins"],
        "nouns": ["Vin rouge", "Vin blanc", "Crémant", "Bière", "Cidre", "Jus de pomme",
                  "Liqueur", "Whisky", "Champagne", "Rosé"],
        "styles": ["de Savoie", "bio", "nature", "artisanal", "millésimé", "brut",
                   "en magnum", "de garde", "pétillant"],
    },
    "Jouets": {
        "shops": ["Jouets", "La Ludothèque", "Le Coffre à jouets", "Jeux et Malices"],
        "nouns": ["Puzzle", "Jeu de société", "Peluche", "Poupée", "Voiture", "Jeu de cartes",
                  "Cube", "Toupie", "Maquette", "Cerf-volant"],
        "styles": ["en bois", "éducatif", "pour tout-petits", "de stratégie", "coopératif",
                   "1000 pièces", "familial", "écologique"],
    },
}
FAMILY_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
    "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin",
    "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier",
]
PLACES = ["du Lac", "des Alpes", "du Marché", "de la Gare", "du Centre", "des Thermes",
          "du Port", "de la Place", "du Vieux Bourg", "des Halles", "de Lise", "du Château"]
SENTENCES = [
    "Fabriqué près d'ici, en petite série.",
    "Idéal à offrir, emballage cadeau sur demande.",
    "À retirer en boutique ou livré en ville.",
    "Nos produits viennent de producteurs de la région.",
    "Composition et conseils d'entretien en boutique.",
    "Une qualité que nous choisissons avec soin chaque saison.",
    "Quantités limitées : réservez en ligne, payez en boutique.",
    "Un classique de la maison, apprécié depuis des années.",
]
QUERIES = [
    # single words, plurals, accents
    "épicerie", "epicerie", "épiceries", "miel", "confitures", "pain", "baguette", "brioches",
    "chocolat", "fromage", "tomme", "comté", "beaufort", "vin", "crémant", "bière", "pull",
    "écharpe", "echarpes", "robe", "baskets", "chaussures", "bottines", "bouquet", "roses",
    "orchidée", "livre", "bande dessinée", "manga", "puzzle", "jeu de société", "bougie",
    "savon", "vase", "céramique", "bijou",
    # several words, styles, places
    "miel bio", "pull en laine", "vin de savoie", "savon au lait d'ânesse", "pain au levain",
    "sac en cuir", "fromage au lait cru",
    # typos
    "epicrie", "chocolta", "fromagerie martn", "bouqet", "ceramqiue", "boulangrie",
    # shop names
    "Boulangerie Martin", "fleuriste",
]
# fmt: on


def _settings_for_bench() -> None:
    """Point DATABASE_URL at the bench database on the same server, then set Django up."""
    # Before importing anything of comptoir: its Celery module defaults to the dev settings.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings.test")
    import django

    from comptoir.devenv import database_ensure

    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/comptoir"
    parsed = urllib.parse.urlparse(url)
    bench_url = parsed._replace(path=f"/{BENCH_DATABASE}").geturl()
    os.environ["DATABASE_URL"] = bench_url
    database_ensure(bench_url)
    django.setup()


# --- the generated town -------------------------------------------------------------------


def _product_title(rng: random.Random, trade: dict[str, list[str]]) -> str:
    return f"{rng.choice(trade['nouns'])} {rng.choice(trade['styles'])}"


def town_generate(*, merchants: int = MERCHANTS, products: int = PRODUCTS, seed: int = 7):
    """The bench town with `merchants` approved merchants and `products` products (1 to 3
    variants each, photos for half), made once; an existing complete town is reused."""
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.utils import schema_context

    from marketplace.catalogue.models import Product, ProductPhoto, Variant
    from marketplace.catalogue.services.search import products_search_refresh_all
    from marketplace.directory.models import Category, Merchant
    from tenants.models import Town
    from tenants.services.provisioning import town_provision

    call_command("platform_setup", verbosity=0)
    town = Town.objects.filter(slug=TOWN_SLUG).first()
    if town is None:
        town = town_provision(name="Bancville", slug=TOWN_SLUG, admin_email="mairie@bancville.test")
        Town.objects.filter(pk=town.pk).update(status=Town.Status.ACTIVE)
    with schema_context(town.schema_name):
        if (
            Merchant.objects.count() == merchants
            and Product.objects.count() == products
            and not Product.objects.filter(search_vector__isnull=True).exists()
        ):
            return town
        print(f"Generating {merchants} merchants and {products} products…", flush=True)
        started = time.perf_counter()
        rng = random.Random(seed)
        Merchant.objects.all().delete()
        Category.objects.filter(slug__startswith="bench-").delete()
        categories = {
            trade: Category.objects.create(name=trade, slug=f"bench-{index}", position=100 + index)
            for index, trade in enumerate(TRADES)
        }
        trade_names = list(TRADES)
        merchant_rows = []
        for index in range(merchants):
            trade = trade_names[index % len(trade_names)]
            shop = rng.choice(TRADES[trade]["shops"])
            owner = rng.choice([rng.choice(FAMILY_NAMES), rng.choice(PLACES)])
            merchant_rows.append(
                Merchant(
                    name=f"{shop} {owner}",
                    slug=f"commerce-{index + 1}",
                    category=categories[trade],
                    status=Merchant.Status.APPROVED,
                    sells_online=True,
                    offers_click_collect=True,
                    city="Bancville",
                )
            )
        merchant_rows = Merchant.objects.bulk_create(merchant_rows, batch_size=1000)
        product_rows = []
        for index in range(products):
            merchant = merchant_rows[index % merchants]
            profile = TRADES[merchant.category.name]
            product_rows.append(
                Product(
                    merchant=merchant,
                    title=_product_title(rng, profile),
                    slug=f"produit-{index + 1}",
                    description=" ".join(rng.sample(SENTENCES, 2)),
                    tags=", ".join(rng.sample(profile["styles"], 2)),
                    is_published=rng.random() > 0.03,
                )
            )
        product_rows = Product.objects.bulk_create(product_rows, batch_size=2000)
        variant_rows = []
        photo_rows = []
        for product in product_rows:
            for position in range(rng.choice((1, 1, 2, 3))):
                variant_rows.append(
                    Variant(
                        product=product,
                        sku=f"P{product.pk}-{position + 1}",
                        name=("S", "M", "L")[position] if position else "",
                        price_cents=rng.randrange(150, 15000, 10),
                        stock=rng.choice((0, 1, 2, 5, 10, 25)),
                        position=position,
                    )
                )
            if product.pk % 2:
                photo_rows.append(
                    ProductPhoto(
                        product=product,
                        image=f"{town.schema_name}/products/{product.slug}.jpg",
                        thumbnail=f"{town.schema_name}/products/thumbs/{product.slug}.jpg",
                        webp=f"{town.schema_name}/products/webp/{product.slug}.webp",
                        alt_text=product.title,
                    )
                )
        Variant.objects.bulk_create(variant_rows, batch_size=5000)
        ProductPhoto.objects.bulk_create(photo_rows, batch_size=5000)
        products_search_refresh_all()
        with connection.cursor() as cursor:
            # As autovacuum would soon: the vectors' UPDATE left a dead row per product and
            # GIN entries pending in the index's fast-update list.
            for model in (Product, Variant, ProductPhoto, Merchant):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        print(f"Generated in {time.perf_counter() - started:.0f} s.", flush=True)
    return town


# --- measuring ----------------------------------------------------------------------------


def minimal_view(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


def _bench_urlpatterns() -> list:
    from django.urls import include, path

    return [
        path("__bench__/minimal/", minimal_view),
        path("", include("surfaces.urls_town")),
    ]


@dataclass(frozen=True)
class Timing:
    name: str
    median_ms: float
    p95_ms: float
    queries: tuple[int, int]  # fewest and most SQL queries over the runs

    def line(self, baseline: "Timing | None") -> str:
        ratio = f"{self.median_ms / baseline.median_ms:5.1f}×" if baseline else "   — "
        low, high = self.queries
        counts = str(low) if low == high else f"{low}–{high}"
        return (
            f"{self.name:<28} median {self.median_ms:7.2f} ms   p95 {self.p95_ms:7.2f} ms   "
            f"queries {counts:>5}   vs minimal {ratio}"
        )


def _measure(
    name: str, calls: list[Callable[[], object]], *, before: Callable[[], object] | None = None
) -> Timing:
    """Median and p95 of REPEAT rounds of `calls`, after one warming round; `before` runs ahead
    of each call, outside the timing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for call in calls:  # warm caches, plans and the routing cache
        call()
    durations = []
    counts = []
    for _ in range(REPEAT):
        for call in calls:
            if before is not None:
                before()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                call()
                durations.append((time.perf_counter() - started) * 1000)
            counts.append(len(captured.captured_queries))
    durations.sort()
    p95 = durations[min(len(durations) - 1, round(0.95 * len(durations)) - 1)]
    return Timing(name, statistics.median(durations), p95, (min(counts), max(counts)))


def run() -> dict[str, Timing]:
    """Generate (once) and measure; prints the figures and returns them."""
    from django.test import Client, override_settings
    from django_tenants.utils import schema_context

    from comptoir.page_cache import shop_window_changed
    from marketplace.catalogue.models import Product
    from marketplace.catalogue.selectors import products_search
    from marketplace.directory.models import Merchant

    if not urlpatterns:
        urlpatterns.extend(_bench_urlpatterns())
    town = town_generate()
    client = Client(HTTP_HOST=town.primary_domain_name)

    def page(path: str) -> Callable[[], object]:
        def get() -> object:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response

        return get

    def selector(q: str) -> Callable[[], object]:
        def search() -> object:
            with schema_context(town.schema_name):
                return products_search(q=q)

        return search

    with schema_context(town.schema_name):
        merchants, products = Merchant.objects.count(), Product.objects.count()
        found = {q: products_search(q=q).total for q in QUERIES}
    with override_settings(ROOT_URLCONF=__name__, DEBUG=False):
        timings = {
            "minimal": _measure("minimal view", [page("/__bench__/minimal/")] * len(QUERIES)),
            "selector": _measure("search selector", [selector(q) for q in QUERIES]),
            # Rendered each time: the search itself is measured, not the page cache.
            "page": _measure(
                "/recherche/ page",
                [page(f"/recherche/?q={urllib.parse.quote(q)}") for q in QUERIES],
                before=lambda: shop_window_changed(schema=town.schema_name),
            ),
            "api": _measure(
                "API products?q=",
                [page(f"/api/v1/public/products/?q={urllib.parse.quote(q)}") for q in QUERIES],
            ),
            # The anonymous API is throttled per address: a few calls are enough here.
            "api_list": _measure("API products (newest)", [page("/api/v1/public/products/")] * 10),
        }
    baseline = timings["minimal"]
    print(
        f"\nSearch benchmark — {merchants} merchants, {products} products, {len(QUERIES)} queries"
    )
    print("queries: SQL statements per call, django-tenants' SET search_path included")
    print(f"results per query: min {min(found.values())}, median "
          f"{statistics.median(found.values()):.0f}, max {max(found.values())}")  # fmt: skip
    for key in ("minimal", "selector", "page", "api", "api_list"):
        print(timings[key].line(None if key == "minimal" else baseline))
    verdict = "met" if timings["page"].p95_ms < TARGET_MS else "MISSED"
    print(f"target: search under {TARGET_MS:.0f} ms (p95 of the page) — {verdict}")
    return timings


urlpatterns: list = []


def main() -> None:
    _settings_for_bench()
    run()


if __name__ == "__main__":
    main()
