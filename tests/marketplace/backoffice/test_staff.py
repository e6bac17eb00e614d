import re

import pytest
from django.core import mail
from django.test import Client

from comptoir.accounts.models import User
from comptoir.send_once.models import SentOnce
from marketplace.directory.models import MerchantMember, StaffInvitation
from marketplace.directory.services.staff import staff_invite
from marketplace.directory.tasks import staff_invitation_send
from tests.conftest import host_of, inside, user_create
from tests.marketplace.backoffice.builders import member_add


def _members(town, shop) -> list[tuple[str, str]]:
    with inside(town):
        return sorted(
            MerchantMember.objects.filter(merchant=shop).values_list("user__email", "role")
        )


@pytest.mark.parametrize("count", [1, 4])
def test_team_page_costs_the_same_queries(
    owner_client, town_a, shop_a, count, django_assert_num_queries
):
    for number in range(count):
        member_add(town_a, shop_a, f"staff{number}@alpha.test")
    owner_client.get("/boutique/equipe/")

    with django_assert_num_queries(10):
        response = owner_client.get("/boutique/equipe/")

    assert len(response.context["members"]) == count + 1


def test_owner_invites_a_new_person_who_activates_and_lands_in_the_back_office(
    town_a, shop_a, owner_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            "/boutique/equipe/", {"email": "Nina@Alpha.test", "full_name": "Nina"}
        )

    assert response.status_code == 302
    assert _members(town_a, shop_a) == [("nina@alpha.test", "staff"), ("owner@alpha.test", "owner")]
    with inside(town_a):
        assert not User.objects.get(email="nina@alpha.test").has_usable_password()
    [invitation] = mail.outbox
    assert invitation.to == ["nina@alpha.test"]
    link = re.search(r"https?://\S+/boutique/activer/\S+/", invitation.body).group(0)
    path = link.split(host_of(town_a), 1)[1]

    newcomer = Client(HTTP_HOST=host_of(town_a))
    form_page = newcomer.get(path, follow=True)
    assert form_page.context["validlink"] is True
    done = newcomer.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "tulipes-et-jonquilles", "new_password2": "tulipes-et-jonquilles"},
    )
    assert done["Location"] == "/boutique/"
    assert newcomer.get("/boutique/").context["merchant"].pk == shop_a.pk
    # The link works once.
    assert newcomer.get(path, follow=True).context["validlink"] is False


def test_inviting_someone_who_already_has_an_account_tells_them_to_sign_in(
    town_a, shop_a, owner_client, django_capture_on_commit_callbacks
):
    user_create(town_a, "known@alpha.test")

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/boutique/equipe/", {"email": "known@alpha.test"})

    assert ("known@alpha.test", "staff") in _members(town_a, shop_a)
    assert "/boutique/?boutique=" in mail.outbox[0].body
    assert "/activer/" not in mail.outbox[0].body


def test_inviting_a_member_again_or_a_bad_address_changes_nothing(
    english, town_a, shop_a, staff_a, owner_client
):
    before = _members(town_a, shop_a)

    again = owner_client.post("/boutique/equipe/", {"email": "staff@alpha.test"})
    bad = owner_client.post("/boutique/equipe/", {"email": "pas-une-adresse"})

    assert again.status_code == bad.status_code == 400
    assert "already a member" in again.content.decode()
    assert _members(town_a, shop_a) == before
    with inside(town_a):
        assert not StaffInvitation.objects.exists()
    assert not mail.outbox


def test_staff_cannot_invite_nor_remove(town_a, shop_a, staff_a, staff_client):
    other = member_add(town_a, shop_a, "other@alpha.test")
    with inside(town_a):
        other_member = MerchantMember.objects.get(user=other)
    before = _members(town_a, shop_a)

    assert staff_client.post("/boutique/equipe/", {"email": "x@alpha.test"}).status_code == 403
    assert staff_client.post(f"/boutique/equipe/{other_member.pk}/retirer/").status_code == 403
    assert _members(town_a, shop_a) == before


def test_owner_removes_staff_but_never_an_owner(town_a, shop_a, owner_a, staff_a, owner_client):
    with inside(town_a):
        staff_member = MerchantMember.objects.get(user=staff_a)
        owner_member = MerchantMember.objects.get(user=owner_a)

    assert owner_client.post(f"/boutique/equipe/{owner_member.pk}/retirer/").status_code == 404
    response = owner_client.post(f"/boutique/equipe/{staff_member.pk}/retirer/")

    assert response.status_code == 302
    assert _members(town_a, shop_a) == [("owner@alpha.test", "owner")]
    with inside(town_a):
        assert User.objects.filter(email="staff@alpha.test").exists()


def test_an_owner_cannot_remove_another_shops_staff(town_a, shop_a, staff_a, rival_client):
    with inside(town_a):
        staff_member = MerchantMember.objects.get(user=staff_a)

    assert rival_client.post(f"/boutique/equipe/{staff_member.pk}/retirer/").status_code == 404
    assert ("staff@alpha.test", "staff") in _members(town_a, shop_a)


def test_the_invitation_is_sent_once_however_often_the_task_runs(town_a, shop_a, owner_a):
    with inside(town_a):
        staff_invite(actor=owner_a, merchant_id=shop_a.pk, email="nina@alpha.test")
        invitation = StaffInvitation.objects.get()
        staff_invitation_send.apply(args=[invitation.pk])
        staff_invitation_send.apply(args=[invitation.pk])

    assert len(mail.outbox) == 1


def test_the_invitation_task_sent_to_town_b_does_not_reach_town_as_invitation(
    town_a, town_b, shop_a, owner_a
):
    with inside(town_a):
        staff_invite(actor=owner_a, merchant_id=shop_a.pk, email="nina@alpha.test")
        invitation = StaffInvitation.objects.get()

    with inside(town_b):
        staff_invitation_send.apply(args=[invitation.pk])

    assert not mail.outbox
    with inside(town_a):
        assert not SentOnce.objects.filter(purpose="directory.staff_invitation").exists()
