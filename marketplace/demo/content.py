"""The words of the demo towns: trades and what they sell, streets, people. All fictional.

Categories are named by the English names of the default tree
(marketplace.directory.services.categories), which provisioning translated into the town's
language: the generator finds them again the same way.
"""

from dataclasses import dataclass, field

VAT_STANDARD, VAT_INTERMEDIATE, VAT_REDUCED = 2000, 1000, 550


@dataclass(frozen=True)
class ProductIdea:
    title: str
    price: tuple[int, int]  # cents, lowest and highest
    tags: str = ""
    vat: int = VAT_STANDARD


@dataclass(frozen=True)
class Trade:
    key: str
    category: tuple[str, str | None]  # (parent, child) in the default tree, English names
    # patterns: {family}, {place}, {first}, {town}; {of_first}, {of_family} as after "de": "d’Inès"
    names: tuple[str, ...]
    pitch: tuple[str, ...]  # sentences of the description
    hours: str  # a key of HOURS
    colour: tuple[int, int, int]  # the pictures' background
    products: tuple[ProductIdea, ...] = ()
    sells_online: bool = True
    click_collect: bool = True
    local_delivery_fee: int | None = None  # cents; None: no local delivery
    postal_fee: int | None = None
    appointments: bool = False
    reserve_pay_in_shop: bool = False
    variants: str = ""  # "clothes", "shoes", "rings" or "" (one variant)
    has_siret: bool = True


# Weekly opening ranges: weekday (0 = Monday) → ranges "HH:MM-HH:MM".
HOURS: dict[str, dict[int, tuple[str, ...]]] = {
    "shop": dict.fromkeys((1, 2, 3, 4, 5), ("09:30-12:30", "14:00-19:00")),
    "shop_continuous": dict.fromkeys((0, 1, 2, 3, 4, 5), ("10:00-19:00",)),
    "bakery": {**dict.fromkeys((1, 2, 3, 4, 5), ("07:00-13:30", "15:30-19:30")), 6: ("07:00-13:00",)},
    "food": {**dict.fromkeys((1, 2, 3, 4, 5), ("08:30-12:30", "15:00-19:15")), 6: ("08:30-12:30",)},
    "restaurant": {**dict.fromkeys((1, 2, 3, 4, 5), ("12:00-14:00", "19:00-22:30")), 6: ("12:00-14:30",)},
    "cafe": {**dict.fromkeys((0, 1, 2, 3, 4, 5), ("07:30-20:00",)), 6: ("09:00-13:00",)},
    "wine_bar": dict.fromkeys((1, 2, 3, 4, 5), ("10:00-13:00", "17:00-00:00")),
    "salon": {**dict.fromkeys((1, 2, 3, 4), ("09:00-19:00",)), 5: ("08:30-17:00",)},
    "pharmacy": dict.fromkeys((0, 1, 2, 3, 4, 5), ("08:30-19:30",)),
    "office": dict.fromkeys((0, 1, 2, 3, 4), ("08:30-12:00", "13:30-17:30")),
    "association": {2: ("14:00-18:00",), 5: ("09:00-12:00",)},
    "tourism": dict.fromkeys(range(7), ("10:00-18:00",)),
    "late_shop": {**dict.fromkeys((1, 2, 3, 4, 5), ("10:00-20:30",)), 6: ("10:00-13:00",)},
}  # fmt: skip

FIRST_NAMES = (
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Louise", "Jade", "Emma", "Sarah", "Julie",
    "Lucas", "Hugo", "Louis", "Nathan", "Thomas", "Julien", "Antoine", "Maxime", "Paul", "Théo",
    "Claire", "Élodie", "Mathilde", "Nicolas", "Sébastien", "Aurélie", "Pierre", "Marion",
)  # fmt: skip
FAMILY_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
    "François", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry",
    "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Chevalier", "Masson", "Marchand",
)  # fmt: skip

_SIZES = ("S", "M", "L", "XL")

TRADES: dict[str, Trade] = {
    trade.key: trade
    for trade in (
        Trade(
            "bakery", ("Food", "Bakery"),
            ("Boulangerie {family}", "Au Fournil {place}", "La Mie {place}", "Maison {family}, boulanger"),
            ("Pains au levain pétris chaque nuit et cuits au feu de bois.",
             "Farines de meuniers de la région, viennoiseries pur beurre.",
             "Commandez la veille, votre pain vous attend dès l'ouverture."),
            "bakery", (214, 160, 82),
            (ProductIdea("Baguette de tradition", (110, 130), "pain, tradition", VAT_REDUCED),
             ProductIdea("Pain de campagne au levain", (380, 520), "pain, levain", VAT_REDUCED),
             ProductIdea("Croissant pur beurre", (110, 140), "viennoiserie", VAT_REDUCED),
             ProductIdea("Pain aux céréales", (350, 450), "pain, céréales", VAT_REDUCED),
             ProductIdea("Brioche tressée", (650, 890), "brioche, viennoiserie", VAT_REDUCED),
             ProductIdea("Tarte aux pommes (6 parts)", (1500, 1900), "pâtisserie", VAT_REDUCED),
             ProductIdea("Éclair au chocolat", (320, 390), "pâtisserie, chocolat", VAT_REDUCED),
             ProductIdea("Fougasse aux olives", (390, 480), "pain, olives", VAT_REDUCED),
             ProductIdea("Pain d'épices au miel", (690, 850), "épices, miel", VAT_REDUCED),
             ProductIdea("Bûche pâtissière (8 parts)", (2900, 3600), "noël, pâtisserie", VAT_REDUCED)),
        ),
        Trade(
            "butcher", ("Food", "Butcher"),
            ("Boucherie {family}", "Boucherie-charcuterie {place}", "Maison {family}, boucher"),
            ("Viandes de races à viande élevées à moins de cent kilomètres.",
             "Charcuterie maison et plats préparés chaque matin.",
             "Conseils de cuisson et découpe à la demande."),
            "food", (150, 40, 45),
            (ProductIdea("Côte de bœuf maturée (1 kg)", (3400, 4200), "bœuf", VAT_REDUCED),
             ProductIdea("Saucisses de Toulouse (6)", (890, 1090), "porc, barbecue", VAT_REDUCED),
             ProductIdea("Pâté en croûte maison (tranche)", (390, 520), "charcuterie", VAT_REDUCED),
             ProductIdea("Poulet fermier Label rouge", (1490, 1890), "volaille", VAT_REDUCED),
             ProductIdea("Terrine de campagne (500 g)", (850, 990), "charcuterie, terrine", VAT_REDUCED),
             ProductIdea("Rôti de veau ficelé (1 kg)", (2900, 3500), "veau", VAT_REDUCED),
             ProductIdea("Jambon blanc à l'os (4 tranches)", (720, 890), "charcuterie", VAT_REDUCED),
             ProductIdea("Chapon fermier (sur commande)", (4500, 5900), "noël, volaille", VAT_REDUCED)),
            local_delivery_fee=490,
        ),
        Trade(
            "delicatessen", ("Food", "Delicatessen"),
            ("Épicerie fine {place}", "Le Comptoir {of_first}", "Épicerie {family}", "Maison {family}, épicerie fine"),
            ("Une épicerie fine de producteurs : huiles, conserves, thés et douceurs.",
             "Coffrets cadeaux composés à la demande.",
             "Vrac et bocaux consignés pour limiter les emballages."),
            "shop", (96, 120, 60),
            (ProductIdea("Huile d'olive vierge extra (50 cl)", (1290, 1690), "huile, olive", VAT_REDUCED),
             ProductIdea("Miel de lavande (250 g)", (790, 990), "miel, bio", VAT_REDUCED),
             ProductIdea("Confiture de framboises", (590, 720), "confiture, fruits", VAT_REDUCED),
             ProductIdea("Thé noir fumé (100 g)", (850, 1190), "thé", VAT_REDUCED),
             ProductIdea("Café de spécialité en grains (250 g)", (890, 1290), "café", VAT_REDUCED),
             ProductIdea("Caramel au beurre salé", (650, 790), "caramel, douceur", VAT_REDUCED),
             ProductIdea("Coffret épicerie fine", (3500, 5900), "coffret, cadeau, noël", VAT_REDUCED),
             ProductIdea("Tapenade noire (90 g)", (490, 620), "apéritif", VAT_REDUCED),
             ProductIdea("Sel de Guérande aux herbes", (450, 590), "sel, épices", VAT_REDUCED),
             ProductIdea("Nougat tendre aux amandes", (690, 890), "nougat, douceur", VAT_REDUCED),
             ProductIdea("Chocolat noir 70 % (tablette)", (390, 550), "chocolat", VAT_REDUCED),
             ProductIdea("Pâtes artisanales (500 g)", (390, 490), "pâtes", VAT_REDUCED)),
            postal_fee=690, reserve_pay_in_shop=True,
        ),
        Trade(
            "greengrocer", ("Food", "Greengrocer"),
            ("Primeur {place}", "Les Vergers {of_first}", "Au Panier {place}"),
            ("Fruits et légumes de saison, d'abord ceux des maraîchers voisins.",
             "Paniers hebdomadaires à retirer en boutique.",
             "Jus pressés et soupes du jour."),
            "food", (88, 140, 60),
            (ProductIdea("Panier de saison (5 kg)", (1800, 2500), "panier, légumes", VAT_REDUCED),
             ProductIdea("Pommes Reinette (1 kg)", (290, 390), "fruits", VAT_REDUCED),
             ProductIdea("Clémentines de Corse (1 kg)", (420, 520), "fruits, agrumes", VAT_REDUCED),
             ProductIdea("Courge butternut", (250, 350), "légumes", VAT_REDUCED),
             ProductIdea("Jus de pomme artisanal (1 l)", (350, 450), "jus", VAT_REDUCED),
             ProductIdea("Soupe de potiron (1 l)", (550, 690), "soupe, fait maison", VAT_REDUCED),
             ProductIdea("Champignons de Paris (500 g)", (320, 420), "légumes", VAT_REDUCED)),
            local_delivery_fee=390,
        ),
        Trade(
            "cheese", ("Food", "Cheese shop"),
            ("Fromagerie {family}", "La Cloche à fromages", "Crémerie {place}"),
            ("Fromages fermiers au lait cru, affinés dans nos caves.",
             "Plateaux composés pour vos repas de fête.",
             "Beurre de baratte et crème crue à la coupe."),
            "food", (232, 200, 120),
            (ProductIdea("Comté AOP 18 mois (250 g)", (690, 890), "fromage, comté", VAT_REDUCED),
             ProductIdea("Tomme fermière (300 g)", (590, 760), "fromage, tomme", VAT_REDUCED),
             ProductIdea("Chèvre frais aux herbes", (350, 450), "fromage, chèvre", VAT_REDUCED),
             ProductIdea("Plateau de fromages (6 pers.)", (3200, 4500), "plateau, fête", VAT_REDUCED),
             ProductIdea("Beurre de baratte demi-sel (250 g)", (390, 490), "beurre", VAT_REDUCED),
             ProductIdea("Brie de Meaux (part)", (450, 590), "fromage", VAT_REDUCED),
             ProductIdea("Raclette au lait cru (1 kg)", (2200, 2800), "raclette, fromage", VAT_REDUCED)),
        ),
        Trade(
            "wine", ("Food", "Wine shop"),
            ("Cave {place}", "Le Cellier {of_first}", "Les Vins {of_family}", "Bar à vins {place}"),
            ("Des vignerons que nous connaissons, des vins nature et de garde.",
             "Dégustations le samedi, conseils d'accords mets et vins.",
             "L'abus d'alcool est dangereux pour la santé, à consommer avec modération."),
            "wine_bar", (110, 30, 60),
            (ProductIdea("Vin rouge bio (75 cl)", (890, 1890), "vin, rouge, bio"),
             ProductIdea("Vin blanc sec (75 cl)", (850, 1690), "vin, blanc"),
             ProductIdea("Crémant brut (75 cl)", (1190, 1590), "bulles, fête"),
             ProductIdea("Bière artisanale blonde (33 cl)", (290, 390), "bière"),
             ProductIdea("Cidre fermier brut (75 cl)", (490, 650), "cidre"),
             ProductIdea("Coffret trois vins de la région", (3900, 5900), "coffret, cadeau, noël"),
             ProductIdea("Whisky tourbé (70 cl)", (4500, 6900), "spiritueux")),
            postal_fee=990, reserve_pay_in_shop=True,
        ),
        Trade(
            "clothing", ("Fashion", "Clothing"),
            ("Boutique {first}", "L'Atelier {place}", "Dressing {place}", "Maison {family}", "La Friperie {place}"),
            ("Des marques françaises et européennes choisies pour durer.",
             "Retouches offertes sur les pantalons, conseils en boutique.",
             "Nouvelle collection chaque saison, pièces en quantités limitées."),
            "shop", (60, 80, 140),
            (ProductIdea("Pull en laine mérinos", (6900, 9900), "pull, laine"),
             ProductIdea("Chemise en lin", (5900, 7900), "chemise, lin"),
             ProductIdea("Robe à fleurs", (6500, 8900), "robe"),
             ProductIdea("Veste en velours côtelé", (9900, 13900), "veste"),
             ProductIdea("Jean brut coupe droite", (7900, 9900), "jean, denim"),
             ProductIdea("Écharpe en laine", (3500, 4900), "écharpe, accessoire"),
             ProductIdea("T-shirt en coton bio", (2500, 3500), "t-shirt, bio"),
             ProductIdea("Manteau en drap de laine", (15900, 21900), "manteau"),
             ProductIdea("Bonnet côtelé", (2500, 3200), "bonnet, hiver"),
             ProductIdea("Gilet brodé", (5900, 7500), "gilet")),
            postal_fee=590, variants="clothes", reserve_pay_in_shop=True,
        ),
        Trade(
            "shoes", ("Fashion", "Shoes"),
            ("Chaussures {family}", "Pas à Pas", "Le Chausseur {place}"),
            ("Chaussures de fabrication française et européenne.",
             "Prise de pointure et conseils pour les enfants.",
             "Entretien et cirage en boutique."),
            "shop", (120, 80, 50),
            (ProductIdea("Bottines en cuir", (12900, 16900), "bottines, cuir"),
             ProductIdea("Baskets en toile", (5900, 7900), "baskets"),
             ProductIdea("Mocassins cousus main", (11900, 14900), "mocassins, cuir"),
             ProductIdea("Chaussons en feutre", (2900, 3900), "chaussons"),
             ProductIdea("Bottes fourrées", (8900, 11900), "bottes, hiver"),
             ProductIdea("Espadrilles", (2900, 3900), "espadrilles, été")),
            postal_fee=690, variants="shoes",
        ),
        Trade(
            "jewellery", ("Fashion", "Jewellery"),
            ("Bijouterie {family}", "L'Éclat {place}", "Atelier {of_first}, créatrice de bijoux"),
            ("Bijoux en argent et or recyclés, créés et réparés à l'atelier.",
             "Gravure offerte sur les médailles et alliances.",
             "Nettoyage de vos bijoux pendant que vous patientez."),
            "shop", (70, 60, 110),
            (ProductIdea("Bague en argent martelé", (4500, 8900), "bague, argent"),
             ProductIdea("Collier pendentif", (3900, 6900), "collier"),
             ProductIdea("Boucles d'oreilles créoles", (2900, 5900), "boucles d'oreilles"),
             ProductIdea("Bracelet jonc doré", (3500, 7900), "bracelet"),
             ProductIdea("Médaille gravée", (4900, 8900), "médaille, cadeau")),
            postal_fee=490, variants="rings",
        ),
        Trade(
            "accessories", ("Fashion", "Accessories"),
            ("Chapeaux et Parapluies {family}", "La Malle {place}", "Accessoires {first}"),
            ("Chapeaux, gants, parapluies et petite maroquinerie.",
             "Le cadeau qui se glisse dans une poche."),
            "shop", (140, 90, 70),
            (ProductIdea("Parapluie pliant", (2900, 4900), "parapluie"),
             ProductIdea("Gants en cuir doublés", (4500, 6500), "gants, cuir"),
             ProductIdea("Chapeau en feutre", (5900, 8900), "chapeau"),
             ProductIdea("Porte-cartes en cuir", (2500, 3900), "cuir, cadeau"),
             ProductIdea("Foulard en soie", (3900, 5900), "foulard, soie")),
            postal_fee=490,
        ),
        Trade(
            "florist", ("Home and garden", "Florist"),
            ("Fleurs {place}", "L'Atelier floral {of_first}", "Au Jardin {place}", "Fleuriste {family}"),
            ("Fleurs de saison et de producteurs français, bouquets composés devant vous.",
             "Livraison en ville pour les anniversaires et les fêtes.",
             "Plantes d'intérieur et conseils d'entretien."),
            "food", (196, 70, 110),
            (ProductIdea("Bouquet de saison", (2500, 4500), "bouquet, fleurs", VAT_INTERMEDIATE),
             ProductIdea("Bouquet de roses", (3500, 5500), "roses, bouquet", VAT_INTERMEDIATE),
             ProductIdea("Orchidée blanche en pot", (2900, 3900), "orchidée, plante", VAT_INTERMEDIATE),
             ProductIdea("Plante verte (monstera)", (3500, 4900), "plante", VAT_INTERMEDIATE),
             ProductIdea("Couronne de l'Avent", (3900, 5500), "noël, couronne", VAT_INTERMEDIATE),
             ProductIdea("Bouquet champêtre séché", (2900, 3900), "fleurs séchées", VAT_INTERMEDIATE),
             ProductIdea("Terrarium", (3900, 5900), "terrarium, plante", VAT_INTERMEDIATE)),
            local_delivery_fee=590,
        ),
        Trade(
            "decoration", ("Home and garden", "Decoration"),
            ("Maison {place}", "L'Instant Déco", "Comptoir {family}, décoration"),
            ("Objets de décoration, linge de maison et luminaires.",
             "Listes de mariage et cartes cadeaux."),
            "shop_continuous", (170, 140, 110),
            (ProductIdea("Bougie parfumée à la cire de soja", (1900, 2900), "bougie, maison"),
             ProductIdea("Plaid en laine", (5900, 8900), "plaid, laine"),
             ProductIdea("Vase en verre soufflé", (3500, 5900), "vase"),
             ProductIdea("Coussin en lin lavé", (2900, 3900), "coussin, lin"),
             ProductIdea("Lampe à poser", (6900, 9900), "lampe, luminaire")),
            local_delivery_fee=790,
        ),
        Trade(
            "hardware", ("Home and garden", "Hardware"),
            ("Quincaillerie {family}", "Droguerie {place}"),
            ("Outillage, visserie au détail et clés minute.",
             "Une quincaillerie de quartier où l'on vous conseille."),
            "shop", (90, 90, 100), sells_online=False, click_collect=False,
        ),
        Trade(
            "bookshop", ("Culture and leisure", "Bookshop"),
            ("Librairie {place}", "La Page {place}", "Le Livre ouvert", "Librairie {family}"),
            ("Une librairie indépendante : romans, jeunesse, bandes dessinées et région.",
             "Commandez n'importe quel livre, il arrive en 48 heures.",
             "Rencontres d'auteurs un samedi par mois."),
            "shop", (40, 90, 110),
            (ProductIdea("Roman de la rentrée", (2000, 2400), "roman, livre", VAT_REDUCED),
             ProductIdea("Bande dessinée (album)", (1500, 2500), "bande dessinée", VAT_REDUCED),
             ProductIdea("Album jeunesse illustré", (1290, 1890), "jeunesse, livre", VAT_REDUCED),
             ProductIdea("Guide de randonnée de la région", (1490, 1990), "guide, randonnée", VAT_REDUCED),
             ProductIdea("Livre de cuisine du terroir", (2490, 3490), "cuisine, livre", VAT_REDUCED),
             ProductIdea("Polar en poche", (790, 990), "polar, poche", VAT_REDUCED),
             ProductIdea("Manga (tome 1)", (695, 795), "manga", VAT_REDUCED),
             ProductIdea("Carnet de notes relié", (1290, 1990), "papeterie, carnet"),
             ProductIdea("Agenda de l'année", (1590, 2290), "papeterie, agenda")),
            postal_fee=390, reserve_pay_in_shop=True,
        ),
        Trade(
            "toys", ("Culture and leisure", "Toys"),
            ("Jeux et Malices", "La Ludothèque {place}", "Le Coffre à jouets"),
            ("Jouets en bois, jeux de société et loisirs créatifs.",
             "Soirées jeux le vendredi, on vous explique les règles."),
            "late_shop", (230, 150, 40),
            (ProductIdea("Jeu de société familial", (2490, 3990), "jeu, famille"),
             ProductIdea("Puzzle 1000 pièces", (1490, 2290), "puzzle"),
             ProductIdea("Peluche lapin", (1990, 2990), "peluche, bébé"),
             ProductIdea("Train en bois", (3490, 5990), "bois, enfant"),
             ProductIdea("Jeu coopératif", (1990, 2990), "jeu"),
             ProductIdea("Cerf-volant", (1590, 2490), "plein air")),
            postal_fee=590,
        ),
        Trade(
            "sports", ("Culture and leisure", "Sports"),
            ("Sports {place}", "Altitude Sports", "Le Vestiaire {family}"),
            ("Matériel de randonnée, de running et de ski, location à la journée.",
             "Atelier d'entretien des vélos et des skis."),
            "shop_continuous", (30, 110, 90), sells_online=False, click_collect=False,
        ),
        Trade(
            "pottery", ("Crafts", "Pottery"),
            ("Poterie {place}", "L'Atelier {of_first}, céramiste", "Terre et Feu"),
            ("Grès et faïence tournés et émaillés à l'atelier.",
             "Stages d'initiation au tour le mercredi."),
            "shop", (180, 110, 80),
            (ProductIdea("Bol en grès émaillé", (2200, 3200), "bol, céramique"),
             ProductIdea("Tasse à café", (1800, 2400), "tasse, céramique"),
             ProductIdea("Vase tourné", (4500, 7900), "vase, céramique"),
             ProductIdea("Assiette plate", (2500, 3500), "assiette, céramique"),
             ProductIdea("Théière en grès", (6500, 8900), "théière, céramique")),
            postal_fee=890,
        ),
        Trade(
            "woodwork", ("Crafts", "Woodwork"),
            ("Ébénisterie {family}", "L'Établi {place}", "Bois et Copeaux"),
            ("Objets et petits meubles en bois de pays, finis à l'huile.",
             "Réparation et restauration de meubles anciens sur devis."),
            "shop", (150, 110, 60),
            (ProductIdea("Planche à découper en noyer", (3900, 5900), "bois, cuisine"),
             ProductIdea("Cuillère sculptée", (1900, 2900), "bois, cuisine"),
             ProductIdea("Plateau en chêne", (4900, 6900), "bois"),
             ProductIdea("Tabouret en frêne", (12900, 16900), "meuble, bois"),
             ProductIdea("Boîte à bijoux", (3900, 5500), "bois, cadeau")),
            postal_fee=990,
        ),
        Trade(
            "leather", ("Crafts", "Leather goods"),
            ("Maroquinerie {family}", "Sellerie {place}", "Cuir et Fil"),
            ("Maroquinerie cousue main, cuirs tannés au végétal.",
             "Personnalisation et initiales à chaud."),
            "shop", (120, 70, 40),
            (ProductIdea("Sac besace en cuir", (14900, 21900), "sac, cuir"),
             ProductIdea("Portefeuille cousu main", (5900, 8900), "portefeuille, cuir"),
             ProductIdea("Ceinture en cuir", (4500, 6500), "ceinture, cuir"),
             ProductIdea("Porte-clés en cuir", (1500, 2500), "cuir, cadeau"),
             ProductIdea("Trousse de toilette", (4900, 6900), "cuir")),
            postal_fee=690,
        ),
        Trade(
            "hairdresser", ("Beauty and health", "Hairdresser"),
            ("Salon {first}", "L'Atelier coiffure {place}", "Coiffure {family}"),
            ("Coupes, couleurs végétales et barbier.",
             "Prenez rendez-vous en ligne, à l'heure qui vous convient."),
            "salon", (160, 60, 120), sells_online=False, click_collect=False, appointments=True,
        ),
        Trade(
            "beauty", ("Beauty and health", "Beauty salon"),
            ("Institut {first}", "Bulle de Beauté", "Les Soins {of_first}"),
            ("Soins du visage, modelages et manucure, produits naturels.",
             "Cartes cadeaux en vente à l'institut."),
            "salon", (200, 120, 150), sells_online=False, click_collect=False, appointments=True,
        ),
        Trade(
            "pharmacy", ("Beauty and health", "Pharmacy"),
            ("Pharmacie {place}", "Pharmacie {family}"),
            ("Conseil, parapharmacie et orthopédie.",
             "Préparez votre passage : commandez la parapharmacie en retrait."),
            "pharmacy", (30, 130, 80),
            (ProductIdea("Crème mains réparatrice", (590, 890), "soin, mains"),
             ProductIdea("Baume à lèvres", (390, 590), "soin"),
             ProductIdea("Huile de massage à l'arnica", (1290, 1690), "soin, massage"),
             ProductIdea("Gel douche surgras", (490, 790), "hygiène"),
             ProductIdea("Crème solaire SPF 50", (1390, 1890), "solaire")),
        ),
        Trade(
            "repairs", ("Services", "Repairs"),
            ("Cordonnerie {place}", "Clés et Talons {family}", "Répar'Tout {place}"),
            ("Cordonnerie, clés minute, réparation de petits appareils.",
             "Un devis gratuit avant chaque réparation."),
            "shop", (100, 100, 80), sells_online=False, click_collect=False,
        ),
        Trade(
            "dry_cleaning", ("Services", "Dry cleaning"),
            ("Pressing {place}", "Pressing {family}"),
            ("Nettoyage à sec écologique, blanchisserie et retouches.",),
            "shop_continuous", (70, 130, 170), sells_online=False, click_collect=False,
        ),
        Trade(
            "photography", ("Services", "Photography"),
            ("Studio {family}", "Photographie {first} {family}"),
            ("Portraits, photos d'identité et tirages d'art.",
             "Séances photo en studio sur rendez-vous."),
            "shop", (50, 50, 70), sells_online=False, click_collect=False, appointments=True,
        ),
        Trade(
            "restaurant", ("Restaurants and cafés", "Restaurant"),
            ("Le Bistrot {place}", "La Table {of_first}", "Chez {first}", "L'Auberge {place}"),
            ("Une cuisine de saison, produits du marché, menu du jour le midi.",
             "Réservation conseillée le week-end.",
             "Plats à emporter à retirer au comptoir."),
            "restaurant", (160, 80, 40),
            (ProductIdea("Plat du jour à emporter", (1200, 1600), "plat, à emporter", VAT_INTERMEDIATE),
             ProductIdea("Menu enfant à emporter", (900, 1100), "menu, enfant", VAT_INTERMEDIATE),
             ProductIdea("Tarte du jour (part)", (450, 650), "dessert", VAT_INTERMEDIATE),
             ProductIdea("Bon cadeau dîner pour deux", (6000, 9000), "cadeau, noël"),
             ProductIdea("Terrine du chef (bocal)", (890, 1190), "terrine", VAT_REDUCED)),
            reserve_pay_in_shop=True,
        ),
        Trade(
            "cafe", ("Restaurants and cafés", "Café"),
            ("Café {place}", "Le Petit Comptoir", "Salon de thé {first}"),
            ("Café de torréfacteur, thés, chocolat chaud et pâtisseries maison.",
             "Un coin lecture et le wifi pour travailler."),
            "cafe", (100, 70, 50), sells_online=False, click_collect=False,
        ),
        Trade(
            "takeaway", ("Restaurants and cafés", "Takeaway"),
            ("Traiteur {family}", "Le Traiteur {place}", "La Cantine {of_first}"),
            ("Plats cuisinés chaque matin, buffets et repas de fête sur commande.",
             "Commandez avant 10 h pour le déjeuner."),
            "food", (190, 110, 40),
            (ProductIdea("Lasagnes maison (2 parts)", (1290, 1590), "plat, à emporter", VAT_INTERMEDIATE),
             ProductIdea("Quiche lorraine (6 parts)", (1490, 1890), "quiche", VAT_INTERMEDIATE),
             ProductIdea("Salade composée", (790, 990), "salade", VAT_INTERMEDIATE),
             ProductIdea("Plateau apéritif (20 pièces)", (2900, 3900), "apéritif, fête", VAT_INTERMEDIATE),
             ProductIdea("Foie gras mi-cuit (200 g)", (2900, 3900), "noël, foie gras", VAT_REDUCED),
             ProductIdea("Gratin dauphinois (4 parts)", (1290, 1590), "gratin", VAT_INTERMEDIATE)),
            local_delivery_fee=450,
        ),
        Trade(
            "association", ("Associations", None),
            ("{town_association}",), ("{association_pitch}",),
            "association", (60, 110, 60), sells_online=False, click_collect=False, has_siret=False,
        ),
        Trade(
            "public_service", ("Public services", None),
            ("{town_public_service}",), ("{public_service_pitch}",),
            "office", (30, 60, 120), sells_online=False, click_collect=False,
        ),
        Trade(
            "tourism", ("Tourism and leisure", None),
            ("{town_tourism}",), ("{tourism_pitch}",),
            "tourism", (20, 110, 150), click_collect=False, reserve_pay_in_shop=True,
        ),
    )
}  # fmt: skip

# Which trades a town has, most telling first: a small town takes the first ones, so even a
# small seed has every kind (shop, association, public service, tourism) and every state.
MERCHANT_PLAN = (
    "bakery", "delicatessen", "clothing", "florist", "bookshop", "restaurant", "association",
    "public_service", "tourism", "hairdresser", "cheese", "pottery",
    "butcher", "wine", "shoes", "jewellery", "greengrocer", "toys", "takeaway", "leather",
    "pharmacy", "repairs", "cafe", "decoration", "woodwork", "clothing", "bakery", "beauty",
    "accessories", "photography", "dry_cleaning", "hardware", "sports", "restaurant",
    "delicatessen", "florist", "bookshop", "cheese", "bakery", "wine", "clothing", "greengrocer",
    "restaurant", "butcher",
)  # fmt: skip


@dataclass(frozen=True)
class TownProfile:
    """What makes a demo town itself: where it is, its streets and its landmarks."""

    slug: str
    postcodes: tuple[str, ...]
    # Coordinates are drawn inside this box (south, north, west, east), kept on land.
    box: tuple[float, float, float, float]
    streets: tuple[str, ...]
    places: tuple[str, ...]  # "du Lac", used in shop names
    phone_prefix: str
    association: tuple[str, str]  # name, description
    public_service: tuple[str, str]
    tourism: tuple[str, str, tuple[ProductIdea, ...]]
    specialities: dict[str, tuple[ProductIdea, ...]] = field(default_factory=dict)
    welcome_text: str = ""
    contact_address: str = ""
    contact_phone: str = ""


TOWN_PROFILES: dict[str, TownProfile] = {
    profile.slug: profile
    for profile in (
        TownProfile(
            "aix-les-bains", ("73100",), (45.680, 45.697, 5.906, 5.928),
            ("rue de Genève", "rue du Casino", "avenue Victoria", "boulevard Wilson",
             "rue Albert-Ier", "place Carnot", "rue de Chambéry", "avenue du Grand-Port",
             "rue Davat", "rue Lamartine", "avenue de Tresserve", "rue des Bains"),
            ("du Lac", "des Thermes", "du Revard", "de la Chambotte", "du Grand-Port",
             "des Bauges", "de Savoie", "du Casino"),
            "04 79",
            ("Les Amis du Lac du Bourget",
             "Association de protection et de découverte du lac : sorties nature, "
             "nettoyage des berges, conférences. Adhésion annuelle et bénévolat."),
            ("Médiathèque municipale",
             "Prêt de livres, films et jeux, ateliers numériques et heure du conte le mercredi. "
             "Inscription gratuite pour les habitants."),
            ("Croisières du Lac",
             "Croisières commentées sur le lac du Bourget jusqu'à l'abbaye de Hautecombe, "
             "départ du Grand-Port.",
             (ProductIdea("Croisière commentée (1 h)", (1600, 1800), "croisière, lac"),
              ProductIdea("Croisière vers Hautecombe (adulte)", (2400, 2700), "croisière, abbaye"),
              ProductIdea("Croisière dîner", (6900, 7900), "croisière, dîner"))),
            {"cheese": (ProductIdea("Tomme de Savoie IGP (300 g)", (590, 720), "fromage, savoie", VAT_REDUCED),
                        ProductIdea("Reblochon fermier", (890, 1090), "fromage, savoie", VAT_REDUCED),
                        ProductIdea("Beaufort d'alpage (250 g)", (990, 1290), "fromage, savoie", VAT_REDUCED)),
             "wine": (ProductIdea("Vin de Savoie Jacquère (75 cl)", (790, 1090), "vin, savoie"),
                      ProductIdea("Mondeuse (75 cl)", (1190, 1690), "vin, savoie")),
             "delicatessen": (ProductIdea("Miel de montagne des Bauges", (890, 1090), "miel, savoie", VAT_REDUCED),)},
            "Les commerçants d'Aix-les-Bains vous accueillent en ville et en ligne : commandez, "
            "retirez en boutique, découvrez les adresses du centre et des bords du lac.",
            "Hôtel de ville, place Maurice-Mollard, 73100 Aix-les-Bains",
            "04 79 35 07 95",
        ),
        TownProfile(
            "chalons", ("51000",), (48.948, 48.966, 4.350, 4.376),
            ("rue de la Marne", "place Foch", "rue Léon-Bourgeois", "rue de Vaux",
             "rue Saint-Jacques", "rue Émile-Zola", "rue de la Charrière", "rue Carnot",
             "place de la République", "rue du Flocmagny", "rue Pasteur", "avenue de Metz"),
            ("du Jard", "de la Marne", "du Mau", "de Champagne", "Saint-Étienne",
             "de la Cathédrale", "du Nau", "des Halles"),
            "03 26",
            ("Châlons Commerces & Vous",
             "L'association des commerçants de Châlons : animations du centre-ville, chèques "
             "cadeaux locaux et marché de Noël."),
            ("Maison France Services",
             "Un accueil pour vos démarches administratives : impôts, retraite, santé, "
             "emploi, avec ou sans rendez-vous."),
            ("Au fil de l'eau en barque",
             "Balades en barque électrique sur le Mau et le Nau, au cœur de la ville, "
             "d'avril à octobre ; visites guidées du centre historique toute l'année.",
             (ProductIdea("Balade en barque (adulte)", (1100, 1300), "barque, balade"),
              ProductIdea("Visite guidée du centre historique", (800, 1000), "visite, patrimoine"),
              ProductIdea("Pass famille barque et visite", (3200, 3800), "famille, balade"))),
            {"wine": (ProductIdea("Champagne brut de vigneron (75 cl)", (2490, 3490), "champagne, bulles"),
                      ProductIdea("Champagne rosé (75 cl)", (2990, 3990), "champagne, rosé")),
             "bakery": (ProductIdea("Biscuits roses (boîte)", (390, 590), "biscuits, champagne", VAT_REDUCED),),
             "butcher": (ProductIdea("Andouillette de Troyes", (490, 690), "charcuterie", VAT_REDUCED),)},
            "Le cœur marchand de Châlons-en-Champagne en ligne : vos commerces, leurs horaires, "
            "et le retrait en boutique — même le soir, quand vous préparez vos achats.",
            "Hôtel de ville, place Foch, 51000 Châlons-en-Champagne",
            "03 26 69 38 00",
        ),
        TownProfile(
            "bordeaux", ("33000", "33000", "33300", "33800"), (44.829, 44.851, -0.592, -0.571),
            ("rue Sainte-Catherine", "cours de l'Intendance", "rue Notre-Dame",
             "place du Parlement", "cours Victor-Hugo", "rue des Faures", "quai des Chartrons",
             "rue du Pas-Saint-Georges", "cours de l'Argonne", "rue Saint-James",
             "rue du Palais-Gallien", "place des Capucins"),
            ("des Chartrons", "de Saint-Michel", "de la Bastide", "du Port de la Lune",
             "des Capucins", "Saint-Pierre", "de la Garonne", "des Quais"),
            "05 56",
            ("Les Restos Solidaires de Saint-Michel",
             "Association d'aide alimentaire et de repas partagés dans le quartier "
             "Saint-Michel ; collecte de dons et bénévolat."),
            ("Mairie de quartier Bordeaux Centre",
             "État civil, inscriptions scolaires, cartes d'identité sur rendez-vous et "
             "point d'accès au droit."),
            ("Balades sur la Garonne",
             "Croisières sur la Garonne, du Pont de pierre au Pont Chaban-Delmas, et "
             "dégustations de vins de Bordeaux à bord.",
             (ProductIdea("Croisière des quais (1 h 30)", (1800, 2200), "croisière, garonne"),
              ProductIdea("Croisière dégustation", (3500, 4500), "croisière, vin"),
              ProductIdea("Croisière au coucher du soleil", (2500, 3000), "croisière"))),
            {"bakery": (ProductIdea("Canelés de Bordeaux (boîte de 6)", (690, 890), "canelés, pâtisserie", VAT_REDUCED),
                        ProductIdea("Dune blanche", (350, 450), "pâtisserie", VAT_REDUCED)),
             "wine": (ProductIdea("Bordeaux supérieur (75 cl)", (990, 1490), "vin, bordeaux"),
                      ProductIdea("Saint-Émilion grand cru (75 cl)", (2490, 4490), "vin, saint-émilion"),
                      ProductIdea("Sauternes (37,5 cl)", (1990, 2990), "vin, liquoreux"))},
            "Tous les commerces bordelais, quartier par quartier : trouvez une adresse ouverte, "
            "commandez en ligne et retirez en boutique ou faites-vous livrer.",
            "Hôtel de ville, place Pey-Berland, 33000 Bordeaux",
            "05 56 10 20 30",
        ),
    )
}  # fmt: skip

SHOPPER_FIRST_NAMES = ("Camille", "Hugo", "Léa", "Thomas", "Inès", "Julien", "Manon", "Paul")
SHOPPER_FAMILY_NAMES = ("Durand", "Moreau", "Lambert", "Faure", "Roux", "Garnier", "Blanc", "Petit")

SHOPPER_MESSAGES = (
    "Bonjour, pourriez-vous me mettre de côté un paquet cadeau avec ma commande ? Merci !",
    "Bonjour, est-il possible de passer un peu plus tard que le créneau choisi ?",
    "Bonjour, avez-vous ce modèle dans une autre taille ?",
    "Bonjour, je voudrais savoir si vous livrez aussi le samedi matin.",
    "Merci pour vos conseils la semaine dernière, tout était parfait.",
)
MERCHANT_REPLIES = (
    "Bonjour, bien sûr, c'est noté. À bientôt en boutique !",
    "Bonjour, aucun souci, nous sommes ouverts jusqu'à la fermeture.",
    "Bonjour, nous la recevons jeudi, je vous préviens dès son arrivée.",
    "Bonjour, oui, nous livrons le samedi de 9 h à 12 h.",
    "Merci beaucoup, au plaisir de vous revoir !",
)
REFUSAL_REASONS = (
    "Article en rupture chez notre fournisseur, désolés.",
    "Nous sommes fermés pour inventaire ce jour-là.",
)
CANCELLATION_REASONS = ("Je me suis trompé de créneau.", "Commande passée en double.")


@dataclass(frozen=True)
class SeasonalCampaign:
    """A campaign the demo runs in the months it belongs to."""

    title: str
    months: tuple[int, ...]
    text: str
    trades: tuple[str, ...]  # merchants of these trades are featured first


SEASONAL_CAMPAIGNS = (
    SeasonalCampaign(
        "Noël dans nos commerces", (11, 12),
        "Cette année, les cadeaux se trouvent près de chez vous : coffrets gourmands, livres, "
        "bijoux et créations d'artisans. Commandez en ligne, retirez en boutique, et "
        "profitez des ouvertures exceptionnelles des dimanches de décembre.",
        ("delicatessen", "bookshop", "jewellery", "toys", "pottery", "wine", "florist"),
    ),
    SeasonalCampaign(
        "Les soldes d'hiver en centre-ville", (1, 2),
        "Quatre semaines de remises chez les commerçants du centre : mode, chaussures, "
        "maison. Réservez en ligne, essayez et payez en boutique.",
        ("clothing", "shoes", "accessories", "decoration", "leather"),
    ),
    SeasonalCampaign(
        "Le printemps des artisans", (3, 4),
        "Potiers, ébénistes, maroquiniers : les artisans de la ville ouvrent leurs ateliers "
        "et présentent leurs nouvelles créations.",
        ("pottery", "woodwork", "leather", "jewellery"),
    ),
    SeasonalCampaign(
        "Fête des mères : offrez local", (5, 6),
        "Fleurs, bijoux, soins et gourmandises : pour la fête des mères, faites plaisir "
        "avec les commerces de la ville.",
        ("florist", "jewellery", "beauty", "delicatessen", "bookshop"),
    ),
    SeasonalCampaign(
        "Un été en ville", (7, 8),
        "Terrasses, balades et produits frais : l'été se vit dans nos commerces et nos "
        "lieux de loisirs.",
        ("tourism", "greengrocer", "cafe", "restaurant", "wine"),
    ),
    SeasonalCampaign(
        "La rentrée dans nos commerces", (9, 10),
        "Fournitures, livres, chaussures et vêtements : préparez la rentrée près de chez "
        "vous, retrait en boutique en une heure.",
        ("bookshop", "shoes", "clothing", "toys", "sports"),
    ),
)  # fmt: skip

# Sentences of product descriptions, two drawn for each product.
PRODUCT_SENTENCES = (
    "Fabriqué près d'ici, en petite série.",
    "Idéal à offrir : emballage cadeau sur demande.",
    "À retirer en boutique à l'heure qui vous convient.",
    "Nous le choisissons chez des producteurs de la région.",
    "Conseils d'utilisation et d'entretien en boutique.",
    "Une qualité que nous sélectionnons avec soin chaque saison.",
    "Quantités limitées : réservez en ligne, payez en boutique.",
    "Un classique de la maison, apprécié depuis des années.",
    "Prix TTC, sans frais cachés.",
)
# A second product of the same idea in one shop takes one of these, so titles stay distinct.
PRODUCT_FORMATS = ("lot de 2", "format cadeau", "grand format", "édition limitée", "petit format")
CLOTHES_COLOURS = ("bleu marine", "écru", "vert sapin", "bordeaux", "gris chiné", "camel", "noir")
SHOE_SIZES = ("36", "37", "38", "39", "40", "41", "42", "43", "44")
RING_SIZES = ("50", "52", "54", "56", "58")
CLOTHES_SIZES = _SIZES
