"""Who runs a merchant's back office: merchant_for_member and merchant_member_required."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from marketplace.directory.models import Merchant, MerchantMember
from marketplace.directory.permissions import merchant_member_required
from marketplace.directory.selectors import merchant_for_member, merchants_of_member
from tests.conftest import inside, user_create
from tests.marketplace.directory.conftest import member_create, merchant_create


@merchant_member_required
def backoffice_view(request):
    return HttpResponse(f"{request.merchant.slug}:{request.merchant.member_role}")


@merchant_member_required(owner_only=True)
def owners_view(request):
    return HttpResponse(request.merchant.slug)


def call(view, town, user, query: str = ""):
    request = RequestFactory().get(f"/boutique/{query}")
    request.user = user
    with inside(town):
        return view(request)


@pytest.fixture
def two_shops(town_a):
    first = merchant_create(town_a, name="A Épicerie", status=Merchant.Status.PENDING)
    second = merchant_create(town_a, name="B Fromagerie")
    owner = member_create(town_a, second, "marie@alpha.test")
    with inside(town_a):
        MerchantMember.objects.create(merchant=first, user=owner, role=MerchantMember.Role.STAFF)
    return first, second, owner


def test_a_member_s_first_shop_by_name_whatever_its_status(town_a, two_shops):
    first, _second, owner = two_shops

    with inside(town_a):
        merchant = merchant_for_member(owner)

    assert merchant == first
    assert merchant.member_role == MerchantMember.Role.STAFF


def test_a_member_picks_a_shop_by_slug(town_a, two_shops):
    _first, second, owner = two_shops

    response = call(backoffice_view, town_a, owner, f"?boutique={second.slug}")

    assert response.content.decode() == f"{second.slug}:owner"
    with inside(town_a):
        assert [m.slug for m in merchants_of_member(owner)] == [_first.slug, second.slug]


def test_a_shop_the_user_does_not_run_is_refused(town_a, two_shops):
    _first, _second, owner = two_shops
    stranger_shop = merchant_create(town_a, name="C Autre")

    with pytest.raises(PermissionDenied):
        call(backoffice_view, town_a, owner, f"?boutique={stranger_shop.slug}")


def test_staff_may_not_open_owner_pages(town_a, two_shops):
    first, second, owner = two_shops

    assert call(owners_view, town_a, owner, f"?boutique={second.slug}").status_code == 200
    with pytest.raises(PermissionDenied):
        call(owners_view, town_a, owner, f"?boutique={first.slug}")


def test_someone_who_runs_no_shop_gets_a_403_and_anonymous_signs_in(town_a):
    shopper = user_create(town_a, "paul@alpha.test")

    with pytest.raises(PermissionDenied):
        call(backoffice_view, town_a, shopper)
    response = call(backoffice_view, town_a, AnonymousUser())
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/?next=/boutique/")
    with inside(town_a):
        assert merchant_for_member(AnonymousUser()) is None


def test_one_query_finds_the_member_s_shop(town_a, two_shops):
    _first, second, owner = two_shops

    with inside(town_a), CaptureQueriesContext(connection) as captured:
        merchant = merchant_for_member(owner, merchant_slug=second.slug)
        assert merchant.category.name == "Commerce"

    selects = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 1


def test_other_members_of_the_shop_do_not_change_the_role_read(town_a):
    shop = merchant_create(town_a, name="Boutique partagée")
    owner = member_create(town_a, shop, "owner@alpha.test")
    member_create(town_a, shop, "staff@alpha.test", role=MerchantMember.Role.STAFF)

    with inside(town_a):
        assert [(m.slug, m.member_role) for m in merchants_of_member(owner)] == [
            (shop.slug, MerchantMember.Role.OWNER)
        ]
        assert merchant_for_member(owner).member_role == MerchantMember.Role.OWNER
