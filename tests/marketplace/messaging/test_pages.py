import pytest
from django.core import mail
from django.test import Client

from marketplace.messaging.models import Conversation, Message, Side
from marketplace.messaging.services import conversation_start_by_shopper, message_post
from tests.conftest import host_of, inside, signed_in, user_create
from tests.marketplace.backoffice.builders import order_add, reload, shop_create

LIST_QUERIES = 8
THREAD_QUERIES = 8


@pytest.fixture
def shopper_client(town_a, shopper_a) -> Client:
    return signed_in(Client(HTTP_HOST=host_of(town_a)), town_a, shopper_a.email)


def _conversation(town, shop, shopper, body="Bonjour"):
    with inside(town):
        message = conversation_start_by_shopper(shopper=shopper, merchant_id=shop.pk, body=body)
        return Conversation.objects.get(pk=message.conversation_id)


@pytest.mark.smoke
def test_messages_need_a_signed_in_shopper(client_a):
    for url in ("/compte/messages/", "/compte/messages/1/", "/compte/messages/nouveau/?commerce=x"):
        response = client_a.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/compte/connexion/?next=")


@pytest.mark.smoke
@pytest.mark.parametrize("count", [1, 4])
def test_inbox_costs_the_same_queries_whatever_the_number(
    shopper_client, town_a, shopper_a, count, django_assert_num_queries
):
    for number in range(count):
        _conversation(town_a, shop_create(town_a, name=f"Boutique {number}"), shopper_a)
    shopper_client.get("/compte/messages/")

    with django_assert_num_queries(LIST_QUERIES):
        response = shopper_client.get("/compte/messages/")

    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("count", [1, 5])
def test_thread_costs_the_same_queries_whatever_the_messages(
    shopper_client, town_a, shop_a, owner_a, shopper_a, count, django_assert_num_queries
):
    conversation = _conversation(town_a, shop_a, shopper_a)
    with inside(town_a):
        for number in range(count):
            message_post(conversation_id=conversation.pk, author=owner_a, side=Side.MERCHANT,
                         body=f"R{number}")  # fmt: skip
    url = f"/compte/messages/{conversation.pk}/"
    shopper_client.get(url)

    with django_assert_num_queries(THREAD_QUERIES):
        response = shopper_client.get(url)

    assert len(response.context["thread_messages"]) == count + 1


def test_shopper_writes_to_a_shop_from_its_page(
    shopper_client, town_a, shop_a, django_capture_on_commit_callbacks
):
    url = f"/compte/messages/nouveau/?commerce={shop_a.slug}"
    assert shopper_client.get(url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = shopper_client.post(url, {"body": "Livrez-vous à Chambéry ?"})

    with inside(town_a):
        conversation = Conversation.objects.get()
    assert response["Location"] == f"/compte/messages/{conversation.pk}/"
    assert mail.outbox[0].to == ["owner@alpha.test"]
    # A second visit to the shop's link goes on in the same conversation.
    assert shopper_client.get(url)["Location"] == f"/compte/messages/{conversation.pk}/"


def test_shopper_writes_about_their_order(shopper_client, town_a, shop_a, shopper_a):
    order = order_add(town_a, shop_a, customer=shopper_a)

    shopper_client.post(
        f"/compte/messages/nouveau/?commande={order.reference}", {"body": "Quand est-ce prêt ?"}
    )

    with inside(town_a):
        assert Conversation.objects.get().order_id == order.pk


def test_reading_the_thread_marks_the_shops_answers_read(
    shopper_client, town_a, shop_a, owner_a, shopper_a
):
    conversation = _conversation(town_a, shop_a, shopper_a)
    with inside(town_a):
        message_post(conversation_id=conversation.pk, author=owner_a, side=Side.MERCHANT, body="R")

    page = shopper_client.get(f"/compte/messages/{conversation.pk}/").content.decode()

    assert "Fleurs de Lys" in page
    assert reload(town_a, conversation).shopper_unread == 0


def test_posting_with_and_without_htmx(shopper_client, town_a, shop_a, shopper_a):
    conversation = _conversation(town_a, shop_a, shopper_a)
    url = f"/compte/messages/{conversation.pk}/"

    plain = shopper_client.post(url, {"body": "Sans JS"})
    fragment = shopper_client.post(url, {"body": "Avec htmx"}, HTTP_HX_REQUEST="true")
    invalid = shopper_client.post(url, {"body": ""}, HTTP_HX_REQUEST="true")

    assert plain.status_code == 302
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert invalid.status_code == 200 and invalid.context["form"].errors
    with inside(town_a):
        assert list(Message.objects.order_by("pk").values_list("body", flat=True)) == [
            "Bonjour", "Sans JS", "Avec htmx",
        ]  # fmt: skip


def test_another_shoppers_conversation_and_order_answer_404(shopper_client, town_a, shop_a):
    other = user_create(town_a, "autre@alpha.test")
    conversation = _conversation(town_a, shop_a, other)
    order = order_add(town_a, shop_a, customer=other)

    assert shopper_client.get(f"/compte/messages/{conversation.pk}/").status_code == 404
    assert (
        shopper_client.post(f"/compte/messages/{conversation.pk}/", {"body": "Intrus"}).status_code
        == 404
    )
    assert (
        shopper_client.get(f"/compte/messages/nouveau/?commande={order.reference}").status_code
        == 404
    )
    with inside(town_a):
        assert Message.objects.count() == 1


def test_a_shop_not_approved_cannot_be_written_to(shopper_client, town_a):
    pending = shop_create(town_a, status="pending")

    assert (
        shopper_client.get(f"/compte/messages/nouveau/?commerce={pending.slug}").status_code == 404
    )


def test_town_bs_shopper_session_is_anonymous_on_town_a(town_a, town_b, shop_a, shopper_a):
    conversation = _conversation(town_a, shop_a, shopper_a)
    user_create(town_b, "camille@beta.test")
    client = signed_in(Client(HTTP_HOST=host_of(town_b)), town_b, "camille@beta.test")
    client.defaults["HTTP_HOST"] = host_of(town_a)

    response = client.post(f"/compte/messages/{conversation.pk}/", {"body": "Intrus"})

    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/")
    with inside(town_a):
        assert Message.objects.count() == 1


def test_town_as_conversation_is_not_found_by_a_town_b_shopper(town_a, town_b, shop_a, shopper_a):
    conversation = _conversation(town_a, shop_a, shopper_a)
    user_create(town_b, "camille@beta.test")
    client = signed_in(Client(HTTP_HOST=host_of(town_b)), town_b, "camille@beta.test")

    assert client.get(f"/compte/messages/{conversation.pk}/").status_code == 404
    assert client.get(f"/compte/messages/nouveau/?commerce={shop_a.slug}").status_code == 404
