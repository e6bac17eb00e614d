"""The cart, the checkout and order tracking (included at the root of a town's URLs)."""

from django.urls import path

from marketplace.orders import views

app_name = "orders"

urlpatterns = [
    path("panier/", views.cart, name="cart"),
    path("panier/ajouter/", views.cart_add_view, name="cart_add"),
    path("panier/modifier/", views.cart_update, name="cart_update"),
    path("panier/retirer/", views.cart_remove_view, name="cart_remove"),
    path("commande/", views.checkout, name="checkout"),
    path("commande/confirmation/", views.confirmation, name="confirmation"),
    path("suivi/<str:token>/", views.tracking, name="tracking"),
    path("suivi/<str:token>/annuler/", views.tracking_cancel, name="tracking_cancel"),
]
