"""The shopper's account (included under "compte/", beside comptoir.accounts' sign-in pages)."""

from django.urls import path

from marketplace.shoppers import views

app_name = "shoppers"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("inscription/", views.sign_up, name="sign_up"),
    path("commandes/<str:reference>/", views.order_detail, name="order"),
    path("commandes/<str:reference>/annuler/", views.order_cancel_view, name="order_cancel"),
    path("favoris/", views.favourites, name="favourites"),
    path(
        "favoris/commerces/<int:merchant_id>/ajouter/",
        views.favourite_merchant_add_view,
        name="favourite_merchant_add",
    ),
    path(
        "favoris/commerces/<int:merchant_id>/retirer/",
        views.favourite_merchant_remove_view,
        name="favourite_merchant_remove",
    ),
    path(
        "favoris/produits/<int:product_id>/ajouter/",
        views.favourite_product_add_view,
        name="favourite_product_add",
    ),
    path(
        "favoris/produits/<int:product_id>/retirer/",
        views.favourite_product_remove_view,
        name="favourite_product_remove",
    ),
    path("adresses/", views.addresses, name="addresses"),
    path("adresses/nouvelle/", views.address_new, name="address_new"),
    path("adresses/<int:address_id>/modifier/", views.address_edit, name="address_edit"),
    path("adresses/<int:address_id>/supprimer/", views.address_delete_view, name="address_delete"),
    path("export/", views.data_export, name="export"),
    path("supprimer/", views.account_delete, name="delete"),
]
