"""Case documents (encrypted upload, streamed download, versions, deletion), notes and tasks."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cases import access, policies, section_rows, selectors, services
from cases.forms import (
    DocumentDeleteForm,
    DocumentReplaceForm,
    DocumentUploadForm,
    NoteForm,
    TaskForm,
)
from cases.models import Document
from shelter.access import guarded_by
from shelter.crypto.api import accepts_uploads, open_document

# Served with their own type (always as attachments); anything else as opaque bytes.
SAFE_CONTENT_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png", "text/plain"})


def _discard_uploads(request: HttpRequest) -> None:
    """Remove sealed uploads that will not become documents (invalid form, refusal)."""
    for upload in request.FILES.values():
        if hasattr(upload, "discard"):
            upload.discard()


def _upload_form(request: HttpRequest, case: object, data: object = None,
                 files: object = None) -> DocumentUploadForm:
    """The upload form offering only the categories the user may add to."""
    form = DocumentUploadForm(data, files)
    form.fields["category"].choices = [
        (value, label) for value, label in form.fields["category"].choices
        if policies.can_contribute(request.user, case, f"documents.{value}")]
    return form


def _documents_page(request: HttpRequest, case: object, form: DocumentUploadForm,
                    status: int = 200) -> HttpResponse:
    return render(request, "cases/documents.html", access.case_context(
        request, case, "documents",
        documents=section_rows.document_rows(case, selectors.case_documents(request.user, case)),
        form=form, can_contribute=policies.can_contribute(request.user, case, "documents")),
        status=status)


@guarded_by(access.access_case)
def documents(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = access.access_case(request, pk, "documents")
    return _documents_page(request, case, _upload_form(request, case))


@accepts_uploads
@require_POST
@guarded_by(access.access_case)
def document_upload(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    try:
        case = access.access_case(request, pk, "documents", contribute=True)
    except BaseException:
        _discard_uploads(request)
        raise
    form = _upload_form(request, case, request.POST, request.FILES)
    if form.is_valid():
        services.document_upload(case=case, upload=form.cleaned_data["file"],
                                 category=form.cleaned_data["category"], acting_user=request.user)
        messages.success(request, _("The document is stored, encrypted."))
        return redirect("cases:documents", pk=case.pk)
    _discard_uploads(request)
    return _documents_page(request, case, form, status=400)


@guarded_by(access.access_document)
def document_download(request: HttpRequest, pk: uuid.UUID, document_id: uuid.UUID
                      ) -> StreamingHttpResponse:
    document = access.access_document(request, pk, document_id)
    # The read of the content: `open_document` checks the file, then records the download in
    # the access log before the first byte leaves (selectors never write).
    chunks = open_document(document, actor=request.user)
    content_type = document.content_type if document.content_type in SAFE_CONTENT_TYPES \
        else "application/octet-stream"
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Length"] = str(document.size)
    response["Content-Disposition"] = content_disposition_header(
        True, services.safe_filename(document.original_filename or ""))
    response["X-Content-Type-Options"] = "nosniff"
    return response


@accepts_uploads
@guarded_by(access.access_document)
def document_replace(request: HttpRequest, pk: uuid.UUID, document_id: uuid.UUID
                     ) -> HttpResponse:
    try:
        document = access.access_document(request, pk, document_id, write=True)
        case = document.case
    except BaseException:
        _discard_uploads(request)
        raise
    form = DocumentReplaceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.document_replace(document=document, upload=form.cleaned_data["file"],
                                  acting_user=request.user)
        messages.success(request, _("The new version is stored."))
        return redirect("cases:documents", pk=case.pk)
    _discard_uploads(request)
    return render(request, "cases/document_form.html", access.case_context(
        request, case, "documents", form=form, document=document, multipart=True,
        title=_("Upload a new version")))


def _confirm_delete(request: HttpRequest, document: Document, form: DocumentDeleteForm,
                    status: int = 200) -> HttpResponse:
    """What deleting `document` does, in words, with the reason asked on the way."""
    facts = {"name": document.original_filename, "case": document.case.defender.code_name,
             "category": document.get_category_display(), "version": document.version}
    earlier = document.version - 1
    consequences = [
        _("The document “%(name)s” (%(category)s, version %(version)s) of case "
          "%(case)s is deleted.") % facts,
        ngettext("Its earlier version is deleted too.",
                 "Its %(n)s earlier versions are deleted too.", earlier) % {"n": earlier}
        if earlier else None,
        _("The encrypted files are removed from the document store; nobody can download them "
          "any more. This cannot be undone."),
        _("The access log keeps that it was deleted, by whom and when; the reason is kept, "
          "encrypted with the case."),
    ]
    return render(request, "confirm.html", {
        "title": _("Delete this document?"), "form": form, "action_url": request.path,
        "consequences": [line for line in consequences if line],
        "confirm_label": _("Delete for good"),
        "cancel_url": reverse("cases:documents", args=[document.case.pk])}, status=status)


@sensitive_post_parameters()
@guarded_by(access.access_document)
def document_delete(request: HttpRequest, pk: uuid.UUID, document_id: uuid.UUID
                    ) -> HttpResponse:
    """GET (or a POST without `confirmed=1`) shows what deleting does and asks for a reason;
    the confirmation's POST deletes. Both need the right to change the case's documents."""
    document = access.access_document(request, pk, document_id, write=True)
    if request.method != "POST" or request.POST.get("confirmed") != "1":
        return _confirm_delete(request, document, DocumentDeleteForm(
            initial={"reason": request.POST.get("reason", "")[:2000]}))
    form = DocumentDeleteForm(request.POST)
    if not form.is_valid():
        return _confirm_delete(request, document, form, status=400)
    services.document_delete(document=document, reason=form.cleaned_data["reason"],
                             acting_user=request.user)
    messages.success(request, _("The document is deleted."))
    return redirect("cases:documents", pk=document.case.pk)


@sensitive_post_parameters()
@guarded_by(access.access_case)
def notes(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = access.access_case(request, pk, "notes")
    form = NoteForm(request.POST or None, user=request.user, case=case)
    can_add = policies.can_contribute(request.user, case, "notes")
    if request.method == "POST":
        if not can_add:
            raise access.refuse(request, pk, "notes")
        if form.is_valid():
            services.note_create(case=case, acting_user=request.user, **form.cleaned_data)
            messages.success(request, _("The note is saved."))
            return redirect("cases:notes", pk=case.pk)
    visible, withheld = selectors.case_notes(request.user, case)
    return render(request, "cases/notes.html", access.case_context(
        request, case, "notes", notes=section_rows.note_rows(visible), withheld=withheld, form=form,
        can_contribute=can_add and bool(form.fields["category"].choices)))


def _tasks_page(request: HttpRequest, case: object, form: TaskForm | None,
                status: int = 200) -> HttpResponse:
    return render(request, "cases/tasks.html", access.case_context(
        request, case, "tasks", tasks=section_rows.task_rows(case, selectors.case_tasks(case)),
        today=timezone.localdate(), form=form), status=status)


@guarded_by(access.access_case)
def tasks(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case = access.access_case(request, pk, "tasks")
    form = TaskForm(owners=selectors.officers()) if policies.can_change_case(request.user, case) \
        else None
    return _tasks_page(request, case, form)


@require_POST
@sensitive_post_parameters()
@guarded_by(access.access_case)
def task_create(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Add an officer's own task (title, due date, owner) to the case's checklist."""
    case = access.access_case(request, pk, "tasks", write=True)
    form = TaskForm(request.POST, owners=selectors.officers())
    if not form.is_valid():
        return _tasks_page(request, case, form, status=400)
    services.task_create(case=case, acting_user=request.user, **form.service_values())
    messages.success(request, _("The task is added."))
    return redirect("cases:tasks", pk=case.pk)


@sensitive_post_parameters()
@guarded_by(access.access_task)
def task_edit(request: HttpRequest, pk: uuid.UUID, task_id: uuid.UUID) -> HttpResponse:
    """Reschedule a task: another due date and owner (and, for an own task, its title)."""
    task = access.access_task(request, pk, task_id)
    initial = {"due_on": task.due_on, "owner": task.owner_id, "title": task.title}
    form = TaskForm(request.POST or None, owners=selectors.officers(), initial=initial,
                    with_title=task.is_own)
    if request.method == "POST" and form.is_valid():
        services.task_reschedule(task=task, acting_user=request.user, **form.service_values())
        messages.success(request, _("The task is rescheduled."))
        return redirect("cases:tasks", pk=task.case_id)
    return render(request, "cases/task_form.html", access.case_context(
        request, task.case, "tasks", form=form, task=task),
        status=400 if request.method == "POST" else 200)


@require_POST
@guarded_by(access.access_task)
def task_toggle(request: HttpRequest, pk: uuid.UUID, task_id: uuid.UUID) -> HttpResponse:
    task = access.access_task(request, pk, task_id)
    services.task_set_done(task=task, done=request.POST.get("done") == "1",
                           acting_user=request.user)
    return redirect("cases:tasks", pk=task.case_id)
