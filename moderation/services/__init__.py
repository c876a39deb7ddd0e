"""Every moderation write, one module per verb: flags and their cases (flags.py), hiding
any post or project (content.py), mentors' actions on a question and the waiting queue
(questions.py), suspensions (suspensions.py), mentor notes and saved replies (notes.py),
and the log every action writes (log.py).

Each action checks moderation/permissions.py, changes the target through the service of
the app that owns it (moderation writes no other app's rows), writes exactly one log
entry that tells the person touched why, and, on commit, tells the mentors' queue.
Refusals raise `PermissionDenied(message)`; bad input raises `ValidationError` with field
messages. Every public name is importable from `moderation.services`, as the doors do.
"""

from moderation.services.common import QUESTION_LINK_RE, question_id_parse
from moderation.services.content import content_hide, content_unhide
from moderation.services.flags import case_claim, case_release, case_resolve, flag_create
from moderation.services.log import record, record_edit
from moderation.services.notes import (
    mentor_note_add,
    saved_reply_create,
    saved_reply_delete,
    saved_reply_update,
)
from moderation.services.questions import (
    mentor_request,
    question_claim,
    question_lock,
    question_mark_duplicate,
    question_move,
    question_pin,
    question_release,
    question_unlock,
    question_unmark_duplicate,
)
from moderation.services.suspensions import suspension_lift, user_suspend

__all__ = [
    "QUESTION_LINK_RE",
    "case_claim",
    "case_release",
    "case_resolve",
    "content_hide",
    "content_unhide",
    "flag_create",
    "mentor_note_add",
    "mentor_request",
    "question_claim",
    "question_id_parse",
    "question_lock",
    "question_mark_duplicate",
    "question_move",
    "question_pin",
    "question_release",
    "question_unlock",
    "question_unmark_duplicate",
    "record",
    "record_edit",
    "saved_reply_create",
    "saved_reply_delete",
    "saved_reply_update",
    "suspension_lift",
    "user_suspend",
]
