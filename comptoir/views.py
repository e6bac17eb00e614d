from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def vendor_home(request: HttpRequest) -> HttpResponse:
    return render(request, "comptoir/vendor_home.html")


def town_legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "comptoir/town_legal_notice.html")


def town_accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "comptoir/town_accessibility.html")
