from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models, router
from django.db.models import QuerySet
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name

from comptoir.db import connection

if TYPE_CHECKING:
    from django.db.models import Field
    from django.utils.datastructures import _IndexableCollection


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class ActiveSchemaCollector(Collector):
    """Deletes along the relations whose tables exist in the active schema only.

    The user table is in the public schema (vendor staff) and in every town's, but most tables
    that point at a user (memberships, orders) exist only in the towns': Django's collector
    would query them in the public schema and fail.
    """

    def related_objects(
        self,
        related_model: type[models.Model],
        related_fields: Iterable["Field[Any, Any]"],
        objs: "_IndexableCollection[models.Model]",
    ) -> QuerySet[models.Model]:
        in_public = connection.schema_name == get_public_schema_name()
        apps_here = settings.SHARED_APPS if in_public else settings.TENANT_APPS
        if related_model._meta.app_config.name not in apps_here:
            return related_model._base_manager.none()
        return super().related_objects(related_model, related_fields, objs)


class User(AbstractBaseUser, PermissionsMixin):
    """A person, in one schema only.

    In a town's schema: a shopper, a merchant or a town administrator of that town.
    In the public schema: vendor staff (is_staff). The same e-mail in two towns is two accounts.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("vendor staff"), default=False)
    is_town_admin = models.BooleanField(_("town administrator"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def delete(
        self, using: str | None = None, keep_parents: bool = False
    ) -> tuple[int, dict[str, int]]:
        collector = ActiveSchemaCollector(
            using=using or router.db_for_write(User, instance=self), origin=self
        )
        collector.collect([self], keep_parents=keep_parents)
        return collector.delete()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email
