"""An IMMUTABLE unaccent for expression indexes (a merchant's name in trigrams): PostgreSQL's own
is STABLE because its dictionary could change; this one names the dictionary, as the
PostgreSQL documentation's unaccent examples do."""

from django.db import migrations

UNACCENT_IMMUTABLE = """
CREATE OR REPLACE FUNCTION public.unaccent_immutable(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
"""


class Migration(migrations.Migration):
    dependencies = [("comptoir", "0001_search_extensions")]

    operations = [
        migrations.RunSQL(
            UNACCENT_IMMUTABLE,
            reverse_sql="DROP FUNCTION IF EXISTS public.unaccent_immutable(text)",
        ),
    ]
