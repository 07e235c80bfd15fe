"""The register's pages: the activities, an activity's versions, one version, a new version,
and the exports (JSON, CSV, and a page to print for the Dutch DPA)."""

from __future__ import annotations

import csv
import io
import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shelter import audit
from shelter.access import guarded_by
from shelter.audit import Action
from shelter.register import policies, selectors, services
from shelter.register.access import access_register, access_register_change, access_register_export
from shelter.register.catalogue import activity_uri
from shelter.register.forms import VersionForm
from shelter.register.models import ActivityVersion

EXPORT_FIELDS = ("code", "version", "uri", *ActivityVersion.TEXT_FIELDS, "changed_at",
                 "change_note")


@require_GET
@guarded_by(access_register)
def register(request: HttpRequest) -> HttpResponse:
    access_register(request)
    return render(request, "register/list.html", {
        "entries": selectors.current_versions(request.user),
        "can_change": policies.can_change_register(request.user),
        "can_export": policies.can_export_register(request.user)})


@require_GET
@guarded_by(access_register)
def entry(request: HttpRequest, code: str) -> HttpResponse:
    access_register(request, code)
    versions = selectors.history(request.user, code)
    if not versions:
        raise Http404
    return render(request, "register/entry.html", {
        "current": versions[0], "versions": versions,
        "uri": activity_uri(code, versions[0].version),
        "can_change": policies.can_change_register(request.user)})


@require_GET
@guarded_by(access_register)
def version(request: HttpRequest, code: str, number: int) -> HttpResponse:
    access_register(request, code)
    found = selectors.version(request.user, code, number)
    if found is None:
        raise Http404
    newest = selectors.history(request.user, code)[0]
    return render(request, "register/version.html", {
        "version": found, "newest": newest, "uri": activity_uri(code, number)})


@require_http_methods(["GET", "POST"])
@guarded_by(access_register_change)
def version_new(request: HttpRequest, code: str) -> HttpResponse:
    access_register_change(request, code)
    current = selectors.history(request.user, code)[0]
    form = VersionForm(request.POST or None, instance=None, initial={
        "based_on": current.version,
        **{name: getattr(current, name) for name in ActivityVersion.TEXT_FIELDS}})
    if request.method == "POST" and form.is_valid():
        texts = {name: form.cleaned_data[name] for name in ActivityVersion.TEXT_FIELDS}
        if all(texts[name] == getattr(current, name) for name in texts):
            form.add_error(None, _("Nothing changed: a new version needs a change."))
        else:
            try:
                created = services.version_create(
                    code=code, acting_user=request.user,
                    based_on=form.cleaned_data["based_on"],
                    change_note=form.cleaned_data["change_note"].strip(), **texts)
            except services.RegisterChanged:
                form.add_error(None, _("Someone saved a new version of this activity while "
                                       "you were editing. Open it again and make your change "
                                       "on the newest version."))
            else:
                messages.success(request, _("Version %(n)s is now in force.")
                                 % {"n": created.version})
                return redirect("register:entry", code=code)
    return render(request, "register/version_form.html", {"current": current, "form": form},
                  status=400 if form.errors else 200)


def _rows(request: HttpRequest) -> list[dict]:
    return [{"code": v.code, "version": v.version, "uri": activity_uri(v.code, v.version),
             **{name: getattr(v, name) for name in ActivityVersion.TEXT_FIELDS},
             "changed_at": v.changed_at.isoformat(), "change_note": v.change_note}
            for v in selectors.current_versions(request.user)]


def _record_export(request: HttpRequest, file_format: str, count: int) -> None:
    audit.record(request.user, Action.REGISTER_EXPORT, ("register.activityversion", None),
                 section="register", format=file_format, entries=count)


@require_GET
@guarded_by(access_register_export)
def export_json(request: HttpRequest) -> HttpResponse:
    access_register_export(request)
    rows = _rows(request)
    _record_export(request, "json", len(rows))
    response = HttpResponse(json.dumps({"activities": rows}, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="register-of-processing.json"'
    return response


@require_GET
@guarded_by(access_register_export)
def export_csv(request: HttpRequest) -> HttpResponse:
    access_register_export(request)
    rows = _rows(request)
    _record_export(request, "csv", len(rows))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    for row in rows:
        # A cell a spreadsheet would run as a formula starts with a quote instead.
        writer.writerow({k: ("'" + v if isinstance(v, str) and v[:1] in "=+-@\t\r" else v)
                         for k, v in row.items()})
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="register-of-processing.csv"'
    return response


@require_GET
@guarded_by(access_register_export)
def printable(request: HttpRequest) -> HttpResponse:
    access_register_export(request)
    entries = selectors.current_versions(request.user)
    _record_export(request, "print", len(entries))
    return render(request, "register/print.html", {
        "entries": [(v, activity_uri(v.code, v.version)) for v in entries]})
