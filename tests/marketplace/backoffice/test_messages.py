import pytest
from django.core import mail

from marketplace.messaging.models import Conversation, Message, Side
from marketplace.messaging.services import conversation_start_by_shopper, message_post
from tests.conftest import inside, user_create
from tests.marketplace.backoffice.builders import order_add, reload

LIST_QUERIES = 12
THREAD_QUERIES = 12


def _conversation(town, shop, email="camille@alpha.test", body="Bonjour"):
    with inside(town):
        from comptoir.accounts.models import User

        shopper = User.objects.filter(email=email).first()
    shopper = shopper or user_create(town, email, full_name="Camille Client")
    with inside(town):
        message = conversation_start_by_shopper(shopper=shopper, merchant_id=shop.pk, body=body)
        return Conversation.objects.get(pk=message.conversation_id)


@pytest.mark.smoke
@pytest.mark.parametrize("count", [1, 4])
def test_inbox_costs_the_same_queries_whatever_the_number(
    owner_client, town_a, shop_a, count, django_assert_num_queries
):
    for number in range(count):
        _conversation(town_a, shop_a, email=f"client{number}@alpha.test")
    owner_client.get("/boutique/messages/")

    with django_assert_num_queries(LIST_QUERIES):
        response = owner_client.get("/boutique/messages/")

    assert len(response.context["page"].object_list) == count
    assert response.context["unread_messages"] == count


@pytest.mark.parametrize("count", [1, 6])
def test_thread_costs_the_same_queries_whatever_the_messages(
    owner_client, owner_a, town_a, shop_a, count, django_assert_num_queries
):
    conversation = _conversation(town_a, shop_a)
    with inside(town_a):
        for number in range(count):
            message_post(
                conversation_id=conversation.pk,
                author=owner_a,
                side=Side.MERCHANT,
                body=f"R{number}",
            )
    url = f"/boutique/messages/{conversation.pk}/"
    owner_client.get(url)

    with django_assert_num_queries(THREAD_QUERIES):
        response = owner_client.get(url)

    assert len(response.context["thread_messages"]) == count + 1


def test_opening_a_thread_marks_it_read(owner_client, town_a, shop_a):
    conversation = _conversation(town_a, shop_a)

    response = owner_client.get(f"/boutique/messages/{conversation.pk}/")

    assert "Bonjour" in response.content.decode()
    assert reload(town_a, conversation).merchant_unread == 0


def test_answer_without_javascript_redirects_to_the_thread(
    owner_client, town_a, shop_a, django_capture_on_commit_callbacks
):
    conversation = _conversation(town_a, shop_a)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            f"/boutique/messages/{conversation.pk}/", {"body": "Oui, dès demain."}
        )

    assert response.status_code == 302
    with inside(town_a):
        last = Message.objects.filter(conversation=conversation).order_by("pk").last()
    assert (last.body, last.side) == ("Oui, dès demain.", "merchant")
    assert mail.outbox[0].to == ["camille@alpha.test"]


def test_answer_with_htmx_returns_only_the_thread(owner_client, town_a, shop_a):
    conversation = _conversation(town_a, shop_a)

    response = owner_client.post(
        f"/boutique/messages/{conversation.pk}/", {"body": "Avec htmx"}, HTTP_HX_REQUEST="true"
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="thread"')
    assert "Avec htmx" in body and "<html" not in body


def test_empty_answer_is_refused_and_nothing_is_posted(english, owner_client, town_a, shop_a):
    conversation = _conversation(town_a, shop_a)

    response = owner_client.post(f"/boutique/messages/{conversation.pk}/", {"body": "   "})

    assert response.status_code == 400
    with inside(town_a):
        assert Message.objects.filter(conversation=conversation).count() == 1


def test_merchant_writes_to_the_customer_of_an_order(owner_client, town_a, shop_a):
    customer = user_create(town_a, "camille@alpha.test")
    order = order_add(town_a, shop_a, customer=customer)
    url = f"/boutique/messages/nouveau/?commande={order.reference}"
    assert owner_client.get(url).status_code == 200

    response = owner_client.post(url, {"body": "Votre commande est prête."})

    with inside(town_a):
        conversation = Conversation.objects.get(order=order)
    assert response["Location"] == f"/boutique/messages/{conversation.pk}/"
    # Once it exists, the order's link leads to it.
    assert owner_client.get(url)["Location"] == f"/boutique/messages/{conversation.pk}/"


def test_a_guest_order_offers_the_contact_details_instead(english, owner_client, town_a, shop_a):
    order = order_add(town_a, shop_a, customer=None)

    page = owner_client.get(f"/boutique/messages/nouveau/?commande={order.reference}")

    assert "ordered without an account" in page.content.decode()
    assert page.context["order"].checkout.contact_email in page.content.decode()


def test_another_shops_conversations_answer_404_and_stay_unread(rival_client, town_a, shop_a):
    conversation = _conversation(town_a, shop_a)
    order = order_add(town_a, shop_a, customer=None)

    assert rival_client.get(f"/boutique/messages/{conversation.pk}/").status_code == 404
    assert (
        rival_client.post(f"/boutique/messages/{conversation.pk}/", {"body": "Intrus"}).status_code
        == 404
    )
    assert (
        rival_client.get(f"/boutique/messages/nouveau/?commande={order.reference}").status_code
        == 404
    )
    assert reload(town_a, conversation).merchant_unread == 1
    with inside(town_a):
        assert Message.objects.count() == 1
    assert list(rival_client.get("/boutique/messages/").context["page"].object_list) == []
