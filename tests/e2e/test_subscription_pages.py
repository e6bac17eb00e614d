"""axe-core on the subscription pages: the town administration's subscription page with the
unpaid banner, the read-only page a shopper's write gets, and the console's subscriptions."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from billing.shared.models import SubscriptionInvoice, SubscriptionPlan, TownSubscription
from tenants.models import Town
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def unpaid(town_a, town_restored) -> Iterator[TownSubscription]:
    """Town A's subscription past due, its invoice open (committed rows; no Stripe needed)."""
    town_restored(town_a)
    with schema_context("public"):
        plan = SubscriptionPlan.objects.create(
            code="e2e-ville",
            name="Ville (5 000 à 50 000 habitants)",
            amount_cents=14_900,
            stripe_price_id="price_e2e",
        )
        subscription = TownSubscription.objects.create(
            town=town_a,
            plan=plan,
            billing_email="finances@alpha.test",
            stripe_customer_id="cus_e2e",
            stripe_subscription_id="sub_e2e",
            state=TownSubscription.State.PAST_DUE,
            past_due_since=timezone.now() - timedelta(days=3),
            next_invoice_at=timezone.now() + timedelta(days=27),
            next_invoice_cents=14_900,
        )
        SubscriptionInvoice.objects.create(
            subscription=subscription,
            stripe_invoice_id="in_e2e",
            number="E2E-0001",
            status="open",
            amount_due_cents=14_900,
            amount_paid_cents=0,
            hosted_invoice_url="https://invoice.stripe.com/i/e2e",
            created=timezone.now() - timedelta(days=3),
        )
    Town.objects.filter(pk=town_a.pk).update(standing=Town.Standing.PAST_DUE)
    try:
        yield subscription
    finally:
        with schema_context("public"):
            TownSubscription.objects.filter(pk=subscription.pk).delete()
            plan.delete()


def test_the_subscription_page_with_its_banner_is_accessible(
    page, town_a, admin_a, unpaid, sign_in, axe_check
):
    sign_in(page, town_a, admin_a.email, then="/gestion/abonnement/")

    expect(page.locator(".notice-warning")).to_be_visible()
    expect(page.get_by_role("link", name="E2E-0001")).to_be_visible()
    axe_check(page)


def test_the_read_only_page_is_accessible(page, live_url, town_a, unpaid, axe_check):
    Town.objects.filter(pk=town_a.pk).update(standing=Town.Standing.READ_ONLY)
    page.goto(live_url(town_a, "/compte/mot-de-passe/oublie/"))
    page.locator("main form input[type=email]").fill("camille@example.org")
    page.locator("main form button[type=submit]").click()

    expect(page.locator("h1")).to_have_text("Portail en lecture seule")
    axe_check(page)


def test_the_console_subscriptions_are_accessible(
    page, root_live_url, town_a, unpaid, committed_user, axe_check
):
    staff = committed_user(None, "staff@comptoir.test", is_staff=True, full_name="Vera Vendor")
    page.goto(root_live_url("/console/connexion/?next=/console/abonnements/"))
    page.locator("#id_username").fill(staff.email)
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(root_live_url("/console/abonnements/"))

    expect(page.get_by_role("link", name=town_a.name)).to_be_visible()
    axe_check(page)
    page.goto(root_live_url(f"/console/abonnements/villes/{town_a.slug}/"))
    expect(page.locator("h1")).to_contain_text(town_a.name)
    axe_check(page)
