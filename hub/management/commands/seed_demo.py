"""Demo data that makes a first visit feel alive. Idempotent: run it as often as you like.

This command composes every app's demo module (like hub/urls.py composes their URLs).
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.demo import seed_accounts
from discussions.demo import seed_categories, seed_forum
from notifications.models import Notification
from notifications.services import emails_paused


class Command(BaseCommand):
    help = "Create demo accounts and content (idempotent). Demo passwords are public."

    def handle(self, *args, **options):
        # The demo forum notifies its demo people in the app; no emails for it.
        with emails_paused(), transaction.atomic():
            accounts = seed_accounts()
            categories = seed_categories()
            forum = seed_forum(accounts=[user for user, _ in accounts])
            # Nor later by the sweep.
            Notification.objects.filter(
                recipient__email__endswith="@nexus.example", emailed_at__isnull=True
            ).update(emailed_at=timezone.now())
        created = ", ".join(f"{n} {kind}" for kind, n in forum.items() if n)
        self.stdout.write(
            f"Demo data ready: {len(categories)} topics"
            + (f"; created {created}." if created else " (already there).")
        )
        self.stdout.write("Demo logins (email / password):")
        for user, account in accounts:
            self.stdout.write(
                f"  {user.get_role_display():<8} {account.email:<24} {account.password}"
            )
