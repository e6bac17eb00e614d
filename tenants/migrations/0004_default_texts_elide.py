# The texts a town started with said "de Aix-les-Bains" and put an ordinary no-break space before
# ":" and ";". A town's text still exactly as provisioned is rewritten as a new town gets it now
# ("d’Aix-les-Bains", a narrow no-break space); a text the town has edited is left alone.

from django.db import migrations

PROVISIONED = {
    "tagline": "Les commerces de %(town)s, en ligne et près de chez vous.",
    "welcome_text": (
        "Retrouvez les commerces, marchés, artisans, associations et services de %(town)s. "
        "Commandez en ligne, retirez en boutique ou faites-vous livrer\xa0: chaque achat "
        "soutient les entreprises de la commune."
    ),
    "legal_notice": (
        "Ce site est édité par la commune de %(town)s. Il est hébergé et exploité par Comptoir. "
        "Les commerçants référencés sont responsables des produits qu’ils vendent et de leurs "
        "commandes. Les données personnelles sont traitées par la commune et par les "
        "commerçants auprès desquels vous commandez, uniquement pour traiter vos "
        "commandes\xa0; vous pouvez en demander une copie ou la suppression depuis votre compte."
    ),
    "accessibility_statement": (
        "La commune de %(town)s s’engage à rendre son site internet accessible, conformément à "
        "l’article 47 de la loi n° 2005-102 du 11 février 2005. Ce site vise la conformité au "
        "RGAA 4.1 (WCAG 2.1 niveau AA). Si vous ne parvenez pas à accéder à un contenu ou à un "
        "service, contactez la commune pour être orienté vers une alternative accessible."
    ),
}


def default_texts_elide(apps, schema_editor):
    from comptoir.french import de_name

    Town = apps.get_model("tenants", "Town")
    for town in Town.objects.order_by("pk"):
        changed = []
        for field, template in PROVISIONED.items():
            if getattr(town, field) != template % {"town": town.name}:
                continue
            text = template.replace("de %(town)s", "%(of_town)s") % {"of_town": de_name(town.name)}
            setattr(town, field, text.replace("\xa0:", "\u202f:").replace("\xa0;", "\u202f;"))
            changed.append(field)
        if changed:
            town.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0003_audit_backup_download"),
    ]

    operations = [
        migrations.RunPython(default_texts_elide, migrations.RunPython.noop),
    ]
