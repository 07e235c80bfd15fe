"""The notification centre and the preferences page: every signed-in user, their own rows only
(someone else's id answers 404, as a missing one does)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shelter.access import guarded_by, signed_in
from shelter.notifications import selectors, services

PER_PAGE = 25


@require_GET
@guarded_by(signed_in)
def notification_list(request: HttpRequest) -> HttpResponse:
    signed_in(request)
    page = Paginator(selectors.notifications_of(request.user), PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "notifications/list.html",
                  {"page": page, "rows": selectors.rows(page)})


@require_POST
@guarded_by(signed_in)
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    signed_in(request)
    if not services.notification_mark_read(user=request.user, pk=pk):
        raise Http404
    return redirect("notifications:list")


@require_POST
@guarded_by(signed_in)
def mark_all_read(request: HttpRequest) -> HttpResponse:
    signed_in(request)
    services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@require_http_methods(["GET", "POST"])
@guarded_by(signed_in)
def preferences(request: HttpRequest) -> HttpResponse:
    signed_in(request)
    if request.method == "POST":
        modes = {key[len("mode_"):]: value for key, value in request.POST.items()
                 if key.startswith("mode_")}
        try:
            services.preferences_set(user=request.user, modes=modes)
        except services.SecurityKindLocked:
            messages.error(request, _("Security notifications cannot be changed: they always "
                                      "arrive at once. Nothing was changed."))
            return render(request, "notifications/preferences.html",
                          {"preferences": selectors.preferences_of(request.user)}, status=400)
        except ValueError:
            messages.error(request, _("That choice is not available. Nothing was changed."))
            return render(request, "notifications/preferences.html",
                          {"preferences": selectors.preferences_of(request.user)}, status=400)
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html",
                  {"preferences": selectors.preferences_of(request.user)})
