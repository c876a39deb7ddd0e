"""Demo data that makes a first visit feel alive. Idempotent: run it as often as you like.

This command composes every app's demo module (like hub/urls.py composes their URLs).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import seed_accounts
from discussions.demo import seed_categories


class Command(BaseCommand):
    help = "Create demo accounts and content (idempotent). Demo passwords are public."

    def handle(self, *args, **options):
        with transaction.atomic():
            accounts = seed_accounts()
            categories = seed_categories()
        self.stdout.write(f"Demo data ready: {len(categories)} categories.")
        self.stdout.write("Demo logins (email / password):")
        for user, account in accounts:
            self.stdout.write(
                f"  {user.get_role_display():<8} {account.email:<24} {account.password}"
            )
