"""The merchant's back office; included by surfaces/urls_town.py at "boutique/"."""

from django.urls import path

from marketplace.backoffice.views import (
    appointments,
    dashboard,
    messages,
    orders,
    payments,
    products,
    profile,
    refunds,
    staff,
)

app_name = "backoffice"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("choisir/", dashboard.shop_choose, name="shop_choose"),
    # Products
    path("produits/", products.product_list, name="products"),
    path("produits/nouveau/", products.product_add, name="product_add"),
    path("produits/prix-et-stock/", products.products_bulk, name="products_bulk"),
    path("produits/<int:pk>/", products.product_edit, name="product_edit"),
    path("produits/<int:pk>/dupliquer/", products.product_copy, name="product_duplicate"),
    path("produits/variantes/<int:pk>/stock/", products.variant_stock, name="variant_stock"),
    # Orders
    path("commandes/", orders.order_inbox, name="orders"),
    path("commandes/<str:reference>/", orders.order_detail, name="order_detail"),
    path("commandes/<str:reference>/bon/", orders.picking_slip, name="picking_slip"),
    path("commandes/<str:reference>/rembourser/", refunds.order_refund_view, name="order_refund"),
    path(
        "commandes/<str:reference>/action/<slug:action>/",
        orders.order_action,
        name="order_action",
    ),
    # Card payments (Stripe Connect)
    path("paiements/", payments.payments, name="payments"),
    path("paiements/stripe/", payments.payments_connect, name="payments_connect"),
    path("paiements/stripe/retour/", payments.payments_return, name="payments_return"),
    path("paiements/stripe/nouveau-lien/", payments.payments_refresh, name="payments_refresh"),
    # Profile and hours
    path("profil/", profile.profile_edit, name="profile"),
    path("profil/photos/", profile.profile_photo_add, name="profile_photo_add"),
    path(
        "profil/photos/<int:pk>/supprimer/",
        profile.profile_photo_remove,
        name="profile_photo_remove",
    ),
    path("horaires/", profile.hours_edit, name="hours"),
    path("horaires/exceptionnels/", profile.special_hours_create, name="special_hours_add"),
    path(
        "horaires/exceptionnels/<int:pk>/supprimer/",
        profile.special_hours_delete,
        name="special_hours_remove",
    ),
    # Staff
    path("equipe/", staff.staff_list, name="staff"),
    path("equipe/<int:pk>/retirer/", staff.staff_member_remove, name="staff_remove"),
    path("activer/<uidb64>/<token>/", staff.StaffActivateView.as_view(), name="activate"),
    # Messages
    path("messages/", messages.message_list, name="messages"),
    path("messages/nouveau/", messages.message_start, name="message_start"),
    path("messages/<int:pk>/", messages.message_thread, name="message_thread"),
    # Appointments
    path("rendez-vous/", appointments.appointment_list, name="appointments"),
    path(
        "rendez-vous/<int:pk>/annuler/",
        appointments.appointment_cancel,
        name="appointment_cancel",
    ),
    path("rendez-vous/creneaux/", appointments.slot_rules, name="slot_rules"),
    path(
        "rendez-vous/creneaux/<int:pk>/supprimer/",
        appointments.slot_rule_remove,
        name="slot_rule_remove",
    ),
]
