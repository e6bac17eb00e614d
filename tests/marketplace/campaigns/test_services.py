"""Campaign services: created, edited, published, withdrawn and deleted by the town's admins."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from marketplace.campaigns.errors import CampaignForbidden, CampaignInvalid, CampaignNotFound
from marketplace.campaigns.models import Campaign
from marketplace.campaigns.selectors import campaign_current
from marketplace.campaigns.services import (
    campaign_create,
    campaign_delete,
    campaign_publish,
    campaign_unpublish,
    campaign_update,
)
from marketplace.directory.models import Merchant
from tests.conftest import inside, user_create
from tests.marketplace.campaigns.factories import (
    campaign_create_row,
    image_upload,
    merchant_create,
    product_create,
)

DEC_1, DEC_24 = date(2030, 12, 1), date(2030, 12, 24)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_admin_creates_an_unpublished_campaign_with_its_featured_items(town_a, admin_a):
    # Given a merchant and one of its products on the portal
    merchant = merchant_create(town_a, name="Fleurs du Lac")
    product = product_create(town_a, merchant, title="Couronne de l'Avent")

    # When the town's admin creates a campaign featuring them
    with inside(town_a):
        campaign = campaign_create(
            actor=admin_a,
            title="  Noël   dans nos commerces ",
            text="Des idées de cadeaux près de chez vous.",
            starts_on=DEC_1,
            ends_on=DEC_24,
            merchant_ids=[merchant.pk, merchant.pk],
            product_ids=[product.pk],
        )

        # Then it exists, unpublished, with a slug from its title and what it features
        campaign.refresh_from_db()
        assert campaign.title == "Noël dans nos commerces"
        assert campaign.slug == "noel-dans-nos-commerces"
        assert campaign.is_published is False
        assert campaign.published_at is None
        assert campaign.created_by == admin_a
        assert list(campaign.featured_merchants.all()) == [merchant]
        assert list(campaign.featured_products.all()) == [product]


def test_a_second_campaign_with_the_same_title_gets_its_own_slug(town_a, admin_a):
    with inside(town_a):
        first = campaign_create(
            actor=admin_a, title="Fête des mères", starts_on=DEC_1, ends_on=DEC_24
        )
        second = campaign_create(
            actor=admin_a, title="Fête des mères", starts_on=DEC_1, ends_on=DEC_24
        )

    assert (first.slug, second.slug) == ("fete-des-meres", "fete-des-meres-2")


def test_a_non_admin_cannot_create_a_campaign(town_a):
    shopper = user_create(town_a, "client@alpha.test")

    with inside(town_a), pytest.raises(CampaignForbidden):
        campaign_create(actor=shopper, title="Soldes", starts_on=DEC_1, ends_on=DEC_24)

    with inside(town_a):
        assert Campaign.objects.count() == 0


def test_bad_input_is_refused_field_by_field_and_nothing_is_created(town_a, admin_a):
    pending = merchant_create(town_a, status=Merchant.Status.PENDING)
    hidden = product_create(town_a, merchant_create(town_a), is_published=False)

    with inside(town_a), pytest.raises(CampaignInvalid) as refused:
        campaign_create(
            actor=admin_a,
            title="   ",
            starts_on=DEC_24,
            ends_on=DEC_1,
            merchant_ids=[pending.pk],
            product_ids=[hidden.pk],
        )

    assert set(refused.value.errors) == {"title", "ends_on", "merchants", "products"}
    assert refused.value.errors["ends_on"] == ["The last day cannot come before the first day."]
    with inside(town_a):
        assert Campaign.objects.count() == 0


def test_too_many_featured_products_are_refused(town_a, admin_a):
    merchant = merchant_create(town_a)
    products = [product_create(town_a, merchant, title=f"Article {n}") for n in range(25)]

    with inside(town_a), pytest.raises(CampaignInvalid) as refused:
        campaign_create(
            actor=admin_a,
            title="Trop",
            starts_on=DEC_1,
            ends_on=DEC_24,
            product_ids=[p.pk for p in products],
        )

    assert refused.value.errors == {"products": ["Feature at most 24 of them."]}


def test_the_image_is_stored_under_the_town_schema(town_a, admin_a, media):
    with inside(town_a):
        campaign = campaign_create(
            actor=admin_a,
            title="Noël",
            starts_on=DEC_1,
            ends_on=DEC_24,
            image=image_upload(),
            image_alt="Une vitrine illuminée",
        )

    assert campaign.image.name == f"{town_a.schema_name}/campaigns/noel.png"
    assert (media / campaign.image.name).exists()
    assert campaign.image_alt == "Une vitrine illuminée"


def test_a_file_that_is_not_an_image_is_refused(town_a, admin_a, media):
    fake = SimpleUploadedFile("affiche.png", b"not an image", content_type="image/png")

    with inside(town_a), pytest.raises(CampaignInvalid) as refused:
        campaign_create(actor=admin_a, title="Noël", starts_on=DEC_1, ends_on=DEC_24, image=fake)

    assert list(refused.value.errors) == ["image"]
    with inside(town_a):
        assert Campaign.objects.count() == 0
    assert not any(media.rglob("*.png"))


def test_update_changes_what_is_given_and_keeps_the_rest_and_the_slug(town_a, admin_a):
    merchant = merchant_create(town_a)
    other = merchant_create(town_a, name="Librairie des Thermes")
    product = product_create(town_a, merchant)
    campaign = campaign_create_row(
        town_a,
        title="Noël",
        slug="noel",
        text="Avant",
        starts_on=DEC_1,
        ends_on=DEC_24,
        merchants=[merchant],
        products=[product],
    )

    with inside(town_a):
        campaign_update(
            actor=admin_a, campaign_id=campaign.pk, title="Noël solidaire", merchant_ids=[other.pk]
        )
        campaign.refresh_from_db()

        assert (campaign.title, campaign.slug, campaign.text) == ("Noël solidaire", "noel", "Avant")
        assert list(campaign.featured_merchants.all()) == [other]
        assert list(campaign.featured_products.all()) == [product]


def test_update_replaces_then_removes_the_image(
    town_a, admin_a, media, django_capture_on_commit_callbacks
):
    with inside(town_a):
        campaign = campaign_create(
            actor=admin_a, title="Noël", starts_on=DEC_1, ends_on=DEC_24, image=image_upload()
        )
    first_name = campaign.image.name

    # When the image is replaced, the new one is stored and the old file goes after commit
    with inside(town_a), django_capture_on_commit_callbacks(execute=True):
        campaign_update(actor=admin_a, campaign_id=campaign.pk, image=image_upload("neuve.png"))
    with inside(town_a):
        campaign.refresh_from_db()
    second_name = campaign.image.name
    assert second_name.startswith(f"{town_a.schema_name}/campaigns/noel")
    assert second_name != first_name
    assert (media / second_name).exists()
    assert not (media / first_name).exists()

    # When it is removed, the field is emptied and the file goes too
    with inside(town_a), django_capture_on_commit_callbacks(execute=True):
        campaign_update(actor=admin_a, campaign_id=campaign.pk, image=None)
    with inside(town_a):
        campaign.refresh_from_db()
    assert campaign.image.name == ""
    assert not (media / second_name).exists()


def test_a_non_admin_cannot_update_and_nothing_changes(town_a):
    campaign = campaign_create_row(town_a, title="Noël", starts_on=DEC_1, ends_on=DEC_24)
    shopper = user_create(town_a, "client@alpha.test")

    with inside(town_a), pytest.raises(CampaignForbidden):
        campaign_update(actor=shopper, campaign_id=campaign.pk, title="Piraté")

    with inside(town_a):
        campaign.refresh_from_db()
    assert campaign.title == "Noël"


def test_updating_an_unknown_campaign_says_so(town_a, admin_a):
    with inside(town_a), pytest.raises(CampaignNotFound):
        campaign_update(actor=admin_a, campaign_id=987654, title="Rien")


def test_publish_then_unpublish(town_a, admin_a):
    campaign = campaign_create_row(town_a, starts_on=DEC_1, ends_on=DEC_24, is_published=False)

    with inside(town_a):
        published = campaign_publish(actor=admin_a, campaign_id=campaign.pk)
        assert published.is_published is True
        assert published.published_at is not None

        withdrawn = campaign_unpublish(actor=admin_a, campaign_id=campaign.pk)
        withdrawn.refresh_from_db()
        assert withdrawn.is_published is False


def test_a_non_admin_cannot_publish(town_a):
    campaign = campaign_create_row(town_a, starts_on=DEC_1, ends_on=DEC_24, is_published=False)
    shopper = user_create(town_a, "client@alpha.test")

    with inside(town_a), pytest.raises(CampaignForbidden):
        campaign_publish(actor=shopper, campaign_id=campaign.pk)

    with inside(town_a):
        campaign.refresh_from_db()
    assert campaign.is_published is False


def test_a_published_campaign_must_be_withdrawn_before_deletion(town_a, admin_a):
    campaign = campaign_create_row(town_a, starts_on=DEC_1, ends_on=DEC_24)

    with inside(town_a), pytest.raises(CampaignInvalid):
        campaign_delete(actor=admin_a, campaign_id=campaign.pk)
    with inside(town_a):
        assert Campaign.objects.filter(pk=campaign.pk).exists()

        campaign_unpublish(actor=admin_a, campaign_id=campaign.pk)
        deleted = campaign_delete(actor=admin_a, campaign_id=campaign.pk)

        assert deleted.title == "Noël dans nos commerces"
        assert not Campaign.objects.filter(pk=campaign.pk).exists()


def test_the_current_campaign_is_the_latest_started_published_one_running_today(town_a):
    today = date(2030, 12, 10)
    campaign_create_row(
        town_a, title="Ancienne", starts_on=date(2030, 11, 1), ends_on=date(2030, 12, 31)
    )
    latest = campaign_create_row(
        town_a, title="Récente", starts_on=date(2030, 12, 5), ends_on=DEC_24
    )
    campaign_create_row(
        town_a, title="Brouillon", starts_on=date(2030, 12, 9), ends_on=DEC_24, is_published=False
    )
    campaign_create_row(
        town_a, title="Finie", starts_on=date(2030, 12, 1), ends_on=date(2030, 12, 9)
    )
    campaign_create_row(town_a, title="À venir", starts_on=date(2030, 12, 11), ends_on=DEC_24)

    with inside(town_a):
        assert campaign_current(today=today) == latest
        assert campaign_current(today=date(2031, 1, 1)) is None


def test_publishing_a_campaign_over_another_published_ones_dates_is_refused(town_a, admin_a):
    campaign_create_row(town_a, title="Noël", starts_on=DEC_1, ends_on=DEC_24)
    overlapping = campaign_create_row(
        town_a, title="Soldes", starts_on=DEC_24, ends_on=date(2030, 12, 31), is_published=False
    )
    next_day = campaign_create_row(
        town_a, title="Réveillon", starts_on=date(2030, 12, 25), ends_on=date(2030, 12, 31),
        is_published=False,
    )  # fmt: skip

    with inside(town_a):
        with translation.override("en"), pytest.raises(CampaignInvalid, match="overlap “Noël”"):
            campaign_publish(actor=admin_a, campaign_id=overlapping.pk)
        overlapping.refresh_from_db()
        assert overlapping.is_published is False

        assert campaign_publish(actor=admin_a, campaign_id=next_day.pk).is_published is True
        # Moving a published campaign's dates over another is refused the same way.
        with pytest.raises(CampaignInvalid):
            campaign_update(actor=admin_a, campaign_id=next_day.pk, starts_on=DEC_1)
        next_day.refresh_from_db()
        assert next_day.starts_on == date(2030, 12, 25)


def test_another_towns_campaigns_never_overlap_this_towns(town_a, town_b, admin_a):
    campaign_create_row(town_b, title="Noël à Beta", starts_on=DEC_1, ends_on=DEC_24)
    ours = campaign_create_row(town_a, starts_on=DEC_1, ends_on=DEC_24, is_published=False)

    with inside(town_a):
        assert campaign_publish(actor=admin_a, campaign_id=ours.pk).is_published is True
