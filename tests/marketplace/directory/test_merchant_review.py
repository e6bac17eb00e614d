"""The town's decision on an application: approve or refuse with a reason, the applicant told."""

import pytest

from marketplace.directory.errors import ApplicationNotPending, InvalidMerchantData, NotAllowed
from marketplace.directory.models import Merchant
from marketplace.directory.services.merchants import merchant_approve, merchant_reject
from marketplace.directory.tasks import merchant_decision_notify
from tests.conftest import inside, user_create
from tests.marketplace.directory.conftest import member_create, merchant_create


@pytest.fixture
def pending_a(town_a):
    merchant = merchant_create(town_a, name="La Fromagerie du Port", status=Merchant.Status.PENDING)
    member_create(town_a, merchant, "claire@fromagerie.test")
    return merchant


def snapshot(town, merchant):
    with inside(town):
        row = Merchant.objects.get(pk=merchant.pk)
        return row.status, row.reviewed_at, row.reviewed_by_id, row.review_reason


def test_an_admin_approves_and_the_applicant_is_told(
    town_a, admin_a, pending_a, django_capture_on_commit_callbacks, mailoutbox
):
    with inside(town_a), django_capture_on_commit_callbacks(execute=True):
        merchant_approve(merchant_id=pending_a.pk, actor=admin_a)

    status, reviewed_at, reviewed_by, reason = snapshot(town_a, pending_a)
    assert (status, reviewed_by, reason) == (Merchant.Status.APPROVED, admin_a.pk, "")
    assert reviewed_at is not None
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["claire@fromagerie.test"]
    assert "http://alpha.comptoir.test/boutique/" in mailoutbox[0].body
    assert f"http://alpha.comptoir.test/commerces/{pending_a.slug}/" in mailoutbox[0].body


def test_an_admin_refuses_with_a_reason_the_applicant_reads(
    town_a, admin_a, pending_a, django_capture_on_commit_callbacks, mailoutbox
):
    with inside(town_a), django_capture_on_commit_callbacks(execute=True):
        merchant_reject(
            merchant_id=pending_a.pk, actor=admin_a, reason="  Adresse hors de la commune.  "
        )

    status, _at, reviewed_by, reason = snapshot(town_a, pending_a)
    assert (status, reviewed_by, reason) == (
        Merchant.Status.REJECTED,
        admin_a.pk,
        "Adresse hors de la commune.",
    )
    assert mailoutbox[0].to == ["claire@fromagerie.test"]
    assert "Adresse hors de la commune." in mailoutbox[0].body


def test_the_decision_e_mail_is_sent_once_however_retried(
    town_a, admin_a, pending_a, django_capture_on_commit_callbacks, mailoutbox
):
    with inside(town_a), django_capture_on_commit_callbacks(execute=True):
        merchant_approve(merchant_id=pending_a.pk, actor=admin_a)
    with inside(town_a):
        merchant_decision_notify.apply(args=[pending_a.pk])

    assert len(mailoutbox) == 1


def test_a_refusal_without_reason_changes_nothing(town_a, admin_a, pending_a, mailoutbox):
    before = snapshot(town_a, pending_a)

    with inside(town_a), pytest.raises(InvalidMerchantData) as refused:
        merchant_reject(merchant_id=pending_a.pk, actor=admin_a, reason="   ")

    assert list(refused.value.errors) == ["reason"]
    assert snapshot(town_a, pending_a) == before
    assert mailoutbox == []


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_a_merchant_or_shopper_cannot_decide(town_a, pending_a, action, mailoutbox):
    shopper = user_create(town_a, "paul@alpha.test")
    before = snapshot(town_a, pending_a)

    with inside(town_a), pytest.raises(NotAllowed):
        if action == "approve":
            merchant_approve(merchant_id=pending_a.pk, actor=shopper)
        else:
            merchant_reject(merchant_id=pending_a.pk, actor=shopper, reason="Non.")

    assert snapshot(town_a, pending_a) == before
    assert mailoutbox == []


@pytest.mark.parametrize("status", [Merchant.Status.APPROVED, Merchant.Status.REJECTED])
def test_a_decided_application_cannot_be_decided_again(town_a, admin_a, status):
    merchant = merchant_create(town_a, status=status)
    before = snapshot(town_a, merchant)

    with inside(town_a), pytest.raises(ApplicationNotPending):
        merchant_approve(merchant_id=merchant.pk, actor=admin_a)

    assert snapshot(town_a, merchant) == before


def test_another_towns_merchant_is_not_found(town_a, town_b, admin_b, pending_a):
    before = snapshot(town_a, pending_a)

    with inside(town_b), pytest.raises(Merchant.DoesNotExist):
        merchant_approve(merchant_id=pending_a.pk, actor=admin_b)

    assert snapshot(town_a, pending_a) == before
