import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('directory', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='MerchantDailyVisits',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day')),
                ('count', models.PositiveIntegerField(default=0, verbose_name='visits')),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='daily_visits', to='directory.merchant')),
            ],
            options={
                'verbose_name': 'daily visits',
                'verbose_name_plural': 'daily visits',
                'ordering': ['-day'],
                'constraints': [models.UniqueConstraint(fields=('merchant', 'day'), name='one_visit_row_per_day')],
            },
        ),
        migrations.CreateModel(
            name='StaffInvitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('sent_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('invited_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='staff_invitations', to='directory.merchant')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='staff_invitations', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'staff invitation',
                'verbose_name_plural': 'staff invitations',
                'ordering': ['-created_at', '-pk'],
            },
        ),
    ]
