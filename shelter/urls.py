"""URL configuration. Every route requires a verified second factor unless exempted in
shelter.accounts.middleware.EXEMPT_URL_NAMES, and every view names the guard it calls: a route
whose view names none refuses everyone (`shelter.access.deny_unguarded`)."""

from django.urls import include, path

from shelter import views
from shelter.access import deny_unguarded

urlpatterns = deny_unguarded([
    path("", views.dashboard, name="dashboard"),
    path("accounts/", include("shelter.accounts.urls")),
    path("cases/", include("cases.urls")),
    path("housing/", include("housing.urls")),
    path("budget/", include("budget.urls")),
    path("audit/", include("shelter.audit.urls")),
    path("jobs/", include("shelter.jobs.urls")),
    path("register/", include("shelter.register.urls")),
    path("notifications/", include("shelter.notifications.urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
])

# The Django admin is not installed: every management task has a page behind two factors.

handler400 = "shelter.views.bad_request"
handler403 = "shelter.views.permission_denied"
handler404 = "shelter.views.page_not_found"
handler500 = "shelter.views.server_error"
