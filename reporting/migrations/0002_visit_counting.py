# Issue 11: one counter for every public page (reporting.services); the merchant pages' old
# daily counts are carried over.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='VisitFlush',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('batch', models.CharField(max_length=36, unique=True)),
                ('flushed_at', models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name='VisitorsDaily',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(unique=True, verbose_name='day')),
                ('visitors', models.PositiveIntegerField(default=0, verbose_name='visitors')),
            ],
            options={
                'verbose_name': 'visitors of a day',
                'verbose_name_plural': 'visitors per day',
            },
        ),
        migrations.CreateModel(
            name='VisitSalt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(unique=True)),
                ('salt', models.CharField(max_length=64)),
            ],
        ),
        migrations.CreateModel(
            name='PageViewsDaily',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day')),
                ('kind', models.CharField(choices=[('home', 'Home page'), ('directory', 'Directory'), ('category', 'Category'), ('merchant', 'Merchant page'), ('product', 'Product page'), ('search', 'Search'), ('campaign', 'Campaign page'), ('map', 'Map')], max_length=16, verbose_name='page')),
                ('merchant_id', models.BigIntegerField(default=0, verbose_name='merchant')),
                ('product_id', models.BigIntegerField(default=0, verbose_name='product')),
                ('category_id', models.BigIntegerField(default=0, verbose_name='category')),
                ('campaign_id', models.BigIntegerField(default=0, verbose_name='campaign')),
                ('views', models.PositiveIntegerField(default=0, verbose_name='views')),
                ('visits', models.PositiveIntegerField(default=0, verbose_name='visits')),
            ],
            options={
                'verbose_name': 'page views of a day',
                'verbose_name_plural': 'page views per day',
                'indexes': [models.Index(fields=['merchant_id', 'day'], name='page_views_merchant_day')],
                'constraints': [models.UniqueConstraint(fields=('day', 'kind', 'merchant_id', 'product_id', 'category_id', 'campaign_id'), name='one_page_views_row_per_day')],
            },
        ),
        migrations.CreateModel(
            name='PageViewsHourly',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day')),
                ('hour', models.PositiveSmallIntegerField(verbose_name='hour')),
                ('kind', models.CharField(choices=[('home', 'Home page'), ('directory', 'Directory'), ('category', 'Category'), ('merchant', 'Merchant page'), ('product', 'Product page'), ('search', 'Search'), ('campaign', 'Campaign page'), ('map', 'Map')], max_length=16, verbose_name='page')),
                ('views', models.PositiveIntegerField(default=0, verbose_name='views')),
                ('visits', models.PositiveIntegerField(default=0, verbose_name='visits')),
            ],
            options={
                'verbose_name': 'page views of an hour',
                'verbose_name_plural': 'page views per hour',
                'constraints': [models.UniqueConstraint(fields=('day', 'hour', 'kind'), name='one_page_views_row_per_hour'), models.CheckConstraint(condition=models.Q(('hour__lte', 23)), name='page_views_hour_of_day')],
            },
        ),
        migrations.CreateModel(
            name='VisitorSeen',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('digest', models.CharField(max_length=32)),
                ('last_seen', models.DateTimeField()),
                ('starts_visit', models.BooleanField(default=True)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('day', 'digest'), name='one_visitor_row_per_day')],
            },
        ),
        migrations.CreateModel(
            name='VisitsByOrigin',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day')),
                ('country', models.CharField(blank=True, max_length=2, verbose_name='country')),
                ('department', models.CharField(blank=True, max_length=3, verbose_name='department')),
                ('commune', models.CharField(blank=True, max_length=100, verbose_name='commune')),
                ('visits', models.PositiveIntegerField(default=0, verbose_name='visits')),
            ],
            options={
                'verbose_name': 'visits by origin',
                'verbose_name_plural': 'visits by origin',
                'constraints': [models.UniqueConstraint(fields=('day', 'country', 'department', 'commune'), name='one_origin_row_per_day')],
            },
        ),
        migrations.CreateModel(
            name='VisitsBySource',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day')),
                ('source', models.CharField(choices=[('direct', 'Direct'), ('search', 'Search engine'), ('social', 'Social network'), ('campaign', 'Campaign'), ('newsletter', 'Newsletter'), ('qr', 'QR code poster'), ('website', 'Another website')], max_length=16, verbose_name='source')),
                ('visits', models.PositiveIntegerField(default=0, verbose_name='visits')),
            ],
            options={
                'verbose_name': 'visits by source',
                'verbose_name_plural': 'visits by source',
                'constraints': [models.UniqueConstraint(fields=('day', 'source'), name='one_source_row_per_day')],
            },
        ),
        # One counter for everything: the merchant pages' daily views move into the page
        # tables. The old counter did not tell a visit from a view; each was a visit to it.
        migrations.RunSQL(
            sql="""
                INSERT INTO reporting_pageviewsdaily
                    (day, kind, merchant_id, product_id, category_id, campaign_id, views, visits)
                SELECT day, 'merchant', merchant_id, 0, 0, 0, count, count
                FROM reporting_merchantdailyvisits
            """,
            reverse_sql="""
                INSERT INTO reporting_merchantdailyvisits (merchant_id, day, count)
                SELECT merchant_id, day, views FROM reporting_pageviewsdaily
                WHERE kind = 'merchant' AND merchant_id IN (SELECT id FROM directory_merchant)
            """,
        ),
        migrations.DeleteModel(
            name='MerchantDailyVisits',
        ),
    ]
