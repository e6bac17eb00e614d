from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenants.selectors import towns_for_console


@staff_member_required(login_url="/console/connexion/")
def town_list(request: HttpRequest) -> HttpResponse:
    return render(request, "console/town_list.html", {"towns": towns_for_console()})
