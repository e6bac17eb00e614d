import pytest

from reporting.models import Source
from reporting.visitors import department_of_postcode, is_robot, visit_source

OWN = "alpha.comptoir.test"


@pytest.mark.parametrize(
    ("query", "referrer", "source"),
    [
        ("", "", Source.DIRECT),
        ("", f"https://{OWN}/commerces/", Source.DIRECT),
        ("", "https://www.google.com/search?q=fleurs", Source.SEARCH_ENGINE),
        ("", "https://www.google.co.uk/", Source.SEARCH_ENGINE),
        ("", "https://www.qwant.com/?q=x", Source.SEARCH_ENGINE),
        ("", "https://www.bing.com/", Source.SEARCH_ENGINE),
        ("", "https://m.facebook.com/", Source.SOCIAL),
        ("", "https://t.co/abc", Source.SOCIAL),
        ("", "https://www.instagram.com/", Source.SOCIAL),
        ("", "https://www.aixlesbains.fr/commerces", Source.WEBSITE),
        # Not google: a host merely containing the name.
        ("", "https://notgoogle.example/", Source.WEBSITE),
        ("utm_source=affiche&utm_medium=qr", "", Source.QR_POSTER),
        ("utm_medium=QR", "https://www.google.com/", Source.QR_POSTER),
        ("utm_medium=email&utm_campaign=noel", "", Source.NEWSLETTER),
        ("utm_source=newsletter", "", Source.NEWSLETTER),
        ("utm_medium=social", "", Source.SOCIAL),
        ("utm_campaign=fete-des-meres", "https://www.google.com/", Source.CAMPAIGN),
    ],
)
def test_visit_source(query, referrer, source):
    assert visit_source(query_string=query, referrer=referrer, own_host=OWN) == source


@pytest.mark.parametrize(
    ("postcode", "department"),
    [("73100", "73"), ("20000", "2A"), ("20200", "2B"), ("97400", "974"), ("7310", ""), ("", "")],
)
def test_department_of_postcode(postcode, department):
    assert department_of_postcode(postcode) == department


def test_browsers_are_people_and_robots_are_not():
    assert not is_robot("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
    assert is_robot("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)")
    assert is_robot("   ")
