"""The rows of a case's sections (programme, documents, tasks, notes), prepared once a page.

Each row's links are made by route functions kept for the process
(`shelter.links.kept_link_maker`) and each choice's label is translated once a page, not a
`{% url %}` and a `get_*_display` per row. The values are set on the rows the selectors read;
the templates still write and escape every value, so the HTML is the same.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from cases.choices import DocumentCategory, NoteCategory, Stage
from cases.models import Activity, Case, Document, Note, Task
from shelter.links import SAMPLE_UUID, SAMPLE_UUID2, kept_link_maker


def labels(choices: type[models.TextChoices]) -> dict[str, str]:
    """Each choice's label in the request's language."""
    return {value: str(label) for value, label in choices.choices}


def _links(*names: str) -> list:
    return [kept_link_maker(f"cases:{name}", SAMPLE_UUID, SAMPLE_UUID2) for name in names]


def document_rows(case: Case, documents: Iterable[Document]) -> list[Document]:
    """`documents` with `.links` (download, new version, delete) and `.category_label`."""
    download, replace, delete = _links("document_download", "document_replace",
                                       "document_delete")
    categories = labels(DocumentCategory)
    rows = list(documents)
    for document in rows:
        document.links = {"download": download(case.pk, document.pk),
                          "replace": replace(case.pk, document.pk),
                          "delete": delete(case.pk, document.pk)}
        document.category_label = categories.get(document.category, document.category)
    return rows


def task_rows(case: Case, tasks: Iterable[Task]) -> list[Task]:
    """`tasks` with `.links` (done or reopen, reschedule), `.stage_label` and `.title_text`
    (the title, read once: a generated task's is translated, an own task's is unsealed, none
    for an own task of a shredded case)."""
    toggle, edit = _links("task_toggle", "task_edit")
    stages = labels(Stage)
    rows = list(tasks)
    for task in rows:
        task.links = {"toggle": toggle(case.pk, task.pk), "edit": edit(case.pk, task.pk)}
        task.stage_label = stages.get(task.stage, task.stage)
        # An own task's title is sealed with the case key, which a shredded case no longer has.
        task.title_text = None if task.is_own and case.is_shredded else task.title
    return rows


def activity_rows(case: Case, activities: Iterable[Activity]) -> list[Activity]:
    """`activities` with `.links` (change, cancel) and `.kind_label`."""
    change, cancel = _links("activity_edit", "activity_cancel")
    kinds = labels(Activity.Kind)
    rows = list(activities)
    for activity in rows:
        activity.links = {"edit": change(case.pk, activity.pk),
                          "cancel": cancel(case.pk, activity.pk)}
        activity.kind_label = kinds.get(activity.kind, activity.kind)
    return rows


def note_rows(notes: Iterable[Note]) -> list[Note]:
    """`notes` with `.category_label`."""
    categories = labels(NoteCategory)
    rows = list(notes)
    for note in rows:
        note.category_label = categories.get(note.category, note.category)
    return rows
