"""Account-mail entries read in words: queued is not sent, and every drop reason has a label."""

from __future__ import annotations

import pytest
from django.utils import translation

from shelter.audit.actions import ACTION_LABELS, Action
from shelter.audit.labels import reason_label

DROP_REASONS = ["accepted", "no_address", "unknown_kind", "no_password", "no_second_factor",
                "expired", "gave_up", "inactive", "changed"]


def test_invitation_and_reset_labels_say_queued_not_sent() -> None:
    assert str(ACTION_LABELS[Action.INVITATION_SEND]) == "Invitation e-mail queued"
    assert "queued" in str(ACTION_LABELS[Action.PASSWORD_RESET_REQUEST])
    assert "delivery result" in str(ACTION_LABELS[Action.MAIL_DELIVERY])


@pytest.mark.parametrize("reason", DROP_REASONS)
def test_every_drop_reason_reads_as_words_in_english_and_dutch(reason: str) -> None:
    with translation.override("en"):
        english = reason_label(reason)
    with translation.override("nl"):
        dutch = reason_label(reason)
    assert english != reason and "_" not in english
    assert dutch != english
