"""The shopper's messages; included by surfaces/urls_town.py at "compte/messages/"."""

from django.urls import path

from marketplace.messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.conversation_list, name="list"),
    path("nouveau/", views.conversation_start, name="start"),
    path("<int:pk>/", views.conversation_thread, name="thread"),
]
