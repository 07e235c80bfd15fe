"""Routes of the housing pages. Only UUIDs (and months) appear in paths and query strings."""

from django.urls import path

from housing import views, views_case

app_name = "housing"

urlpatterns = [
    path("", views.schedule, name="schedule"),
    path("occupancy/", views.occupancy, name="occupancy"),
    path("occupancy/year/", views.occupancy_year, name="occupancy_year"),
    path("find/", views.find, name="find"),
    path("export.ics", views.export, name="export"),
    path("units/", views.units, name="units"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<uuid:pk>/", views.unit_detail, name="unit"),
    path("units/<uuid:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<uuid:pk>/availability/", views.availability_add, name="availability_add"),
    path("units/<uuid:pk>/availability/<uuid:period_id>/remove/", views.availability_remove,
         name="availability_remove"),
    path("units/<uuid:pk>/blocks/", views.block_add, name="block_add"),
    path("units/<uuid:pk>/blocks/<uuid:block_id>/remove/", views.block_remove,
         name="block_remove"),
    path("case/<uuid:case_id>/", views_case.case_housing, name="case"),
    path("bookings/<uuid:pk>/", views_case.booking_change, name="booking"),
    path("bookings/<uuid:pk>/confirm/", views_case.booking_confirm, name="booking_confirm"),
    path("bookings/<uuid:pk>/cancel/", views_case.booking_cancel, name="booking_cancel"),
]
