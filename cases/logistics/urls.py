"""Routes of a case's logistics, in the "cases" namespace (included by `cases.urls`). Only
UUIDs in paths."""

from django.urls import path

from cases.logistics import views

urlpatterns = [
    path("<uuid:pk>/logistics/", views.logistics, name="logistics"),
    path("<uuid:pk>/logistics/documents/", views.documents_edit, name="logistics_documents"),
    path("<uuid:pk>/logistics/insurance/", views.insurance_edit, name="logistics_insurance"),
    path("<uuid:pk>/logistics/journeys/new/", views.leg_create, name="logistics_leg_create"),
    path("<uuid:pk>/logistics/journeys/<uuid:leg_id>/", views.leg_edit,
         name="logistics_leg_edit"),
    path("<uuid:pk>/logistics/journeys/<uuid:leg_id>/remove/", views.leg_delete,
         name="logistics_leg_delete"),
    path("<uuid:pk>/logistics/people/new/", views.companion_create,
         name="logistics_companion_create"),
    path("<uuid:pk>/logistics/people/<uuid:companion_id>/", views.companion_edit,
         name="logistics_companion_edit"),
    path("<uuid:pk>/logistics/people/<uuid:companion_id>/documents/", views.documents_edit,
         name="logistics_companion_documents"),
    path("<uuid:pk>/logistics/people/<uuid:companion_id>/insurance/", views.insurance_edit,
         name="logistics_companion_insurance"),
    path("<uuid:pk>/logistics/people/<uuid:companion_id>/remove/", views.companion_remove,
         name="logistics_companion_remove"),
]
