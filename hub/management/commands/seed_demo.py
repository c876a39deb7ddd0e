"""Demo data that makes a first visit feel alive. Idempotent: run it as often as you like.

This command composes every app's demo module (like hub/urls.py composes their URLs). It
creates accounts whose passwords are in the README (an admin among them), so it refuses to
run without DEBUG unless told `--allow-without-debug` (a trial database, a benchmark).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.demo import seed_accounts
from discussions.demo import seed_categories, seed_forum
from guides.demo import seed_guides
from moderation.demo import backdate_guide_log, seed_moderation
from moderation.models import LogEntry
from notifications.models import Notification
from notifications.services import emails_paused
from projects.demo import seed_projects


def last_pk(model) -> int:
    """The newest row of `model` before the seed writes: rows after it are the seed's."""
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def demo_notifications(after_pk: int):
    """The notifications this run wrote: the demo people's, newer than `after_pk`."""
    return Notification.objects.filter(pk__gt=after_pk, recipient__email__endswith="@nexus.example")


def backdate_demo_notifications(after_pk: int) -> None:
    """The demo forum's posts are backdated; give the notifications this run wrote the
    time of the thread's latest activity instead of "just now" (older ones, a real
    person's reply to a demo post among them, keep theirs)."""
    from discussions.models import Answer, Question

    notes = list(demo_notifications(after_pk))
    question_ids = {
        int(n.target_key.split(":")[1]) for n in notes if n.target_key.startswith("question:")
    }
    answer_ids = {
        int(n.target_key.split(":")[1]) for n in notes if n.target_key.startswith("answer:")
    }
    when = {
        f"question:{pk}": at
        for pk, at in Question.objects.filter(pk__in=question_ids).values_list(
            "pk", "last_activity_at"
        )
    }
    when.update(
        {
            f"answer:{pk}": at
            for pk, at in Answer.objects.filter(pk__in=answer_ids).values_list("pk", "created_at")
        }
    )
    for note in notes:
        if note.target_key in when:
            note.created_at = note.updated_at = when[note.target_key]
    Notification.objects.bulk_update(notes, ["created_at", "updated_at"])


class Command(BaseCommand):
    help = "Create demo accounts and content (idempotent). Demo passwords are public."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Seed although DJANGO_DEBUG is off (never on a production database: the "
            "demo logins, an admin's included, have public passwords).",
        )

    def handle(self, *args, allow_without_debug: bool = False, **options):
        if not (settings.DEBUG or allow_without_debug):
            raise CommandError(
                "seed_demo creates accounts with public passwords (an admin's among them) "
                "and runs with DJANGO_DEBUG on. On a trial database with DEBUG off, say "
                "--allow-without-debug; never on a production one."
            )
        # The demo forum notifies its demo people in the app; no emails for it.
        with emails_paused(), transaction.atomic():
            first_note, first_entry = last_pk(Notification), last_pk(LogEntry)
            accounts = seed_accounts()
            categories = seed_categories()
            forum = seed_forum(accounts=[user for user, _ in accounts])
            projects = seed_projects(accounts=[user for user, _ in accounts])
            moderation = seed_moderation()
            guide = seed_guides()
            backdate_guide_log(after_pk=first_entry)
            # Nor later by the sweep.
            demo_notifications(first_note).filter(emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            )
            if forum.get("questions"):
                backdate_demo_notifications(first_note)
        created = ", ".join(f"{n} {kind}" for kind, n in forum.items() if n)
        created_projects = ", ".join(
            f"{n} {kind}" for kind, n in projects.items() if n and kind != "people"
        )
        if created_projects:
            created = f"{created}; projects: {created_projects}" if created else created_projects
        created_moderation = ", ".join(f"{n} {kind}" for kind, n in moderation.items() if n)
        if created_moderation:
            created = (
                f"{created}; moderation: {created_moderation}" if created else created_moderation
            )
        created_guide = ", ".join(f"{n} {kind}" for kind, n in guide.items() if n)
        if created_guide:
            created = f"{created}; guide: {created_guide}" if created else created_guide
        self.stdout.write(
            f"Demo data ready: {len(categories)} topics"
            + (f"; created {created}." if created else " (already there).")
        )
        self.stdout.write("Demo logins (email / password):")
        for user, account in accounts:
            self.stdout.write(
                f"  {user.get_role_display():<8} {account.email:<24} {account.password}"
            )
