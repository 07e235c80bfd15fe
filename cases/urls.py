"""Routes of the case workspace, sharing's included (`cases.sharing.urls`, same "cases"
namespace). Only UUIDs appear in paths; search is a POST.

Every view names its guard (`cases.access`); `shelter.urls` refuses any route whose view does not.
"""

from django.urls import path

from cases import views, views_documents, views_hold, views_programme, views_rounds
from cases.logistics import urls as logistics_urls
from cases.sharing import urls as sharing_urls

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("search/", views.case_search, name="search"),
    path("new/", views.case_create, name="create"),
    path("statistics/", views.statistics, name="statistics"),
    path("agenda/", views_programme.agenda, name="agenda"),
    path("rounds/", views_rounds.rounds, name="rounds"),
    path("rounds/<uuid:round_id>/edit/", views_rounds.round_edit, name="round_edit"),
    path("<uuid:pk>/", views.case_profile, name="profile"),
    path("<uuid:pk>/edit/", views.defender_edit, name="defender_edit"),
    path("<uuid:pk>/residency/", views.case_residency, name="residency"),
    path("<uuid:pk>/residency/edit/", views.case_edit, name="case_edit"),
    path("<uuid:pk>/stage/", views.case_transition, name="transition"),
    path("<uuid:pk>/history/", views.case_history, name="history"),
    path("<uuid:pk>/legal-hold/", views_hold.legal_hold, name="legal_hold"),
    path("<uuid:pk>/legal-hold/lift/", views_hold.legal_hold_lift, name="legal_hold_lift"),
    path("<uuid:pk>/programme/", views_programme.programme, name="programme"),
    path("<uuid:pk>/programme/<uuid:activity_id>/edit/", views_programme.activity_edit,
         name="activity_edit"),
    path("<uuid:pk>/programme/<uuid:activity_id>/cancel/", views_programme.activity_cancel,
         name="activity_cancel"),
    path("<uuid:pk>/export/", views.case_export, name="export"),
    path("<uuid:pk>/documents/", views_documents.documents, name="documents"),
    path("<uuid:pk>/documents/upload/", views_documents.document_upload, name="document_upload"),
    path("<uuid:pk>/documents/<uuid:document_id>/download/", views_documents.document_download,
         name="document_download"),
    path("<uuid:pk>/documents/<uuid:document_id>/replace/", views_documents.document_replace,
         name="document_replace"),
    path("<uuid:pk>/documents/<uuid:document_id>/delete/", views_documents.document_delete,
         name="document_delete"),
    path("<uuid:pk>/notes/", views_documents.notes, name="notes"),
    path("<uuid:pk>/tasks/", views_documents.tasks, name="tasks"),
    path("<uuid:pk>/tasks/new/", views_documents.task_create, name="task_create"),
    path("<uuid:pk>/tasks/<uuid:task_id>/edit/", views_documents.task_edit, name="task_edit"),
    path("<uuid:pk>/tasks/<uuid:task_id>/done/", views_documents.task_toggle, name="task_toggle"),
    *sharing_urls.urlpatterns,
    *logistics_urls.urlpatterns,
]
