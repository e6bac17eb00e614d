"""PostgreSQL extensions and the French search configuration, created once in the public schema,
which every town's search path includes."""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

FRENCH_UNACCENT = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
        CREATE TEXT SEARCH CONFIGURATION public.french_unaccent (COPY = pg_catalog.french);
        ALTER TEXT SEARCH CONFIGURATION public.french_unaccent
            ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, pg_catalog.french_stem;
    END IF;
END
$$;
"""


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunSQL(
            FRENCH_UNACCENT,
            reverse_sql="DROP TEXT SEARCH CONFIGURATION IF EXISTS public.french_unaccent",
        ),
    ]
