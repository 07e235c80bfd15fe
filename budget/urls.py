"""Routes of the budget: the overview, funders, a case's budget and payments. Only UUIDs
appear in paths (the year and the intake round are query parameters)."""

from django.urls import path

from budget import views, views_case

app_name = "budget"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("funders/", views.funders, name="funders"),
    path("funders/<uuid:pk>/", views.funder_edit, name="funder"),
    path("funders/<uuid:pk>/budget/", views.funder_budget, name="funder_budget"),
    path("cases/<uuid:pk>/", views_case.case_budget, name="case"),
    path("cases/<uuid:pk>/lines/", views_case.line_add, name="line_add"),
    path("cases/<uuid:pk>/lines/<uuid:line_id>/", views_case.line_edit, name="line"),
    path("cases/<uuid:pk>/lines/<uuid:line_id>/remove/", views_case.line_delete,
         name="line_delete"),
    path("cases/<uuid:pk>/payments/", views_case.payment_add, name="payment_add"),
    path("cases/<uuid:pk>/payments/<uuid:payment_id>/", views_case.payment_edit,
         name="payment"),
    path("cases/<uuid:pk>/payments/<uuid:payment_id>/cancel/", views_case.payment_cancel,
         name="payment_cancel"),
    path("cases/<uuid:pk>/allowance/", views_case.allowance, name="allowance"),
]
