"""Routes of sharing, under /cases/ in the "cases" namespace (cases/urls.py includes them)."""

from django.urls import path

from cases.sharing import views

urlpatterns = [
    path("shared/", views.shared_with_me, name="shared_with_me"),
    path("<uuid:pk>/sharing/", views.sharing, name="sharing"),
    path("<uuid:pk>/sharing/<uuid:share_id>/revoke/", views.share_revoke, name="share_revoke"),
    path("<uuid:pk>/break-glass/", views.break_glass, name="break_glass"),
]
