"""A user row is deleted along the relations of its own schema only."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from comptoir.accounts.models import User
from marketplace.directory.models import MerchantMember
from tests.conftest import inside, user_create
from tests.marketplace.directory.conftest import member_create, merchant_create

pytestmark = pytest.mark.django_db


def test_vendor_staff_are_deleted_in_the_public_schema_with_their_devices(vendor_staff):
    TOTPDevice.objects.create(user=vendor_staff, name="Console", confirmed=True)

    vendor_staff.delete()

    assert not User.objects.filter(pk=vendor_staff.pk).exists()
    assert not TOTPDevice.objects.filter(user_id=vendor_staff.pk).exists()


def test_a_town_user_is_still_deleted_with_their_memberships(town_a):
    merchant = merchant_create(town_a, name="Fromagerie")
    member = member_create(town_a, merchant, "marie@alpha.test")
    user_create(town_a, "autre@alpha.test")

    with inside(town_a):
        User.objects.get(pk=member.pk).delete()

        assert not MerchantMember.objects.filter(user_id=member.pk).exists()
        assert not User.objects.filter(pk=member.pk).exists()
        assert User.objects.filter(email="autre@alpha.test").exists()
