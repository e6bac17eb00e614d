"""The town's shell in Chromium: branding, language switch by keyboard, the administration's
branding page, and axe-core on the shell's pages."""

import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def rgb(colour: str) -> str:
    """#RRGGBB as the browser's computed style writes it."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def tab_to(page: Page, selector: str, *, limit: int = 30) -> None:
    """Press Tab until the element has the keyboard focus, as a keyboard user would."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{selector} never got the focus after {limit} presses of Tab")


def test_town_home_is_branded_and_accessible(page, live_url, town_a, axe_check):
    page.goto(live_url(town_a, "/"))

    expect(page).to_have_title(town_a.name)
    expect(page.locator("h1")).to_have_text(town_a.name)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    header_background = page.locator("header.site-header").evaluate(
        "element => getComputedStyle(element).backgroundColor"
    )
    assert header_background == rgb(town_a.primary_colour)
    for landmark in ("header", "nav", "main", "footer"):
        expect(page.locator(landmark).first).to_be_visible()
    axe_check(page)


def test_skip_link_is_the_first_stop_and_leads_to_the_content(page, live_url, town_a):
    page.goto(live_url(town_a, "/"))

    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")

    expect(page.locator("main")).to_be_focused()


def test_language_switches_to_english_and_back_by_keyboard(page, live_url, town_a):
    page.goto(live_url(town_a, "/mentions-legales/"))

    tab_to(page, ".language-switch button")
    expect(page.locator(".language-switch button")).to_have_text("English")
    page.keyboard.press("Enter")

    page.wait_for_url(live_url(town_a, "/mentions-legales/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("meta[property='og:locale']")).to_have_attribute("content", "en_GB")
    switch_back = page.locator(".language-switch button")
    expect(switch_back).to_have_text("Français")
    expect(switch_back).to_have_attribute("lang", "fr")

    tab_to(page, ".language-switch button")
    page.keyboard.press("Enter")

    page.wait_for_url(live_url(town_a, "/mentions-legales/"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(".language-switch button")).to_have_text("English")


def test_admin_changes_tagline_and_colour_and_the_home_page_shows_them(
    page, live_url, town_a, admin_a, town_restored, sign_in, axe_check
):
    town_restored(town_a)
    sign_in(page, town_a, admin_a.email, then="/gestion/")
    # Selectors by address and id: the wording changes with the French translation.
    page.locator(".admin-nav a[href='/gestion/identite-visuelle/']").click()
    expect(page.locator(".admin-nav [aria-current=page]")).to_have_attribute(
        "href", "/gestion/identite-visuelle/"
    )
    axe_check(page)

    page.locator("#id_tagline").fill("Le port, les halles et leurs commerçants")
    page.locator("#id_primary_colour").fill("#5A2D82")
    page.locator("#id_accent_colour").fill("#8a1538")
    # The live preview follows the colours being typed.
    samples = page.locator("#colour-preview .colour-preview-sample")
    expect(samples.nth(0)).to_have_css("background-color", rgb("#5a2d82"))
    expect(samples.nth(1)).to_have_css("background-color", rgb("#8a1538"))
    page.locator("form.branding-form button[type=submit]").click()

    expect(page.locator(".notice-success")).to_be_visible()
    page.goto(live_url(town_a, "/"))
    expect(page.locator(".hero-tagline")).to_have_text("Le port, les halles et leurs commerçants")
    expect(page.locator("header.site-header")).to_have_css("background-color", rgb("#5a2d82"))
    expect(page.locator("header.site-header")).to_have_css("border-bottom-color", rgb("#8a1538"))
    axe_check(page)


def test_admin_uploads_hero_and_logo_and_the_home_page_stays_readable(
    page, live_url, town_a, admin_a, town_restored, sign_in, axe_check, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    town_restored(town_a)
    hero, logo = tmp_path / "plage.png", tmp_path / "blason.jpg"
    # The worst case for the hero: a white picture under white text.
    Image.new("RGB", (1600, 500), (255, 255, 255)).save(hero)
    Image.new("RGB", (120, 40), (29, 78, 137)).save(logo)
    sign_in(page, town_a, admin_a.email, then="/gestion/identite-visuelle/")

    page.locator("#id_hero_image").set_input_files(hero)
    page.locator("#id_logo").set_input_files(logo)
    page.locator("form.branding-form button[type=submit]").click()

    expect(page.locator(".notice-success")).to_be_visible()
    page.goto(live_url(town_a, "/"))
    hero_section = page.locator("section.hero")
    expect(hero_section).to_have_class(re.compile(r"\bhero-with-image\b"))
    background = hero_section.evaluate("element => getComputedStyle(element).backgroundImage")
    assert background.startswith("linear-gradient(rgba(0, 0, 0, 0.6), rgba(0, 0, 0, 0.6)), url(")
    assert "/media/alpha/branding/hero_image.png" in background
    brand_logo = page.locator("header img.brand-logo")
    expect(brand_logo).to_have_attribute("src", "/media/alpha/branding/logo.jpg")
    assert brand_logo.evaluate("image => image.complete && image.naturalWidth === 120")
    expect(page.locator("meta[property='og:image']")).to_have_attribute(
        "content", live_url(town_a, "/media/alpha/branding/hero_image.png")
    )
    axe_check(page)


def test_admin_sees_a_refused_colour_explained_and_nothing_changes(
    page, live_url, town_a, admin_a, town_restored, sign_in
):
    before = town_restored(town_a)
    sign_in(page, town_a, admin_a.email, then="/gestion/identite-visuelle/")

    page.locator("#id_primary_colour").fill("#ffff00")
    expect(page.locator("#colour-preview")).to_contain_text("1,07:1")
    page.locator("form.branding-form button[type=submit]").click()

    expect(page.locator(".form-errors")).to_be_visible()
    expect(page.locator("#id_primary_colour_error")).to_contain_text("1,07:1")
    expect(page.locator("#id_primary_colour")).to_have_attribute("aria-invalid", "true")
    page.goto(live_url(town_a, "/"))
    expect(page.locator("header.site-header")).to_have_css(
        "background-color", rgb(before.primary_colour)
    )


def test_other_towns_admin_cannot_reach_town_a_administration(
    page, live_url, town_a, town_b, admin_b, sign_in
):
    sign_in(page, town_b, admin_b.email, then="/gestion/")

    page.goto(live_url(town_a, "/gestion/identite-visuelle/"))

    expect(page).to_have_url(re.compile(r"/compte/connexion/\?next="))


def test_vendor_home_is_accessible(page, root_live_url, axe_check):
    page.goto(root_live_url("/"))

    expect(page.locator("h1")).to_have_count(1)
    axe_check(page)


def test_unknown_host_page_is_accessible(page, e2e_server, axe_check):
    response = page.goto(f"http://nowhere.comptoir.test:{e2e_server.port}/")

    assert response.status == 404
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("main")).to_contain_text("nowhere.comptoir.test")
    axe_check(page)
