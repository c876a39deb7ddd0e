from django.core.management.base import BaseCommand, CommandError

from accounts import selectors, services
from accounts.models import Role


class Command(BaseCommand):
    help = "Grant a role (learner, mentor, admin) to an account, found by handle or email."

    def add_arguments(self, parser):
        parser.add_argument("user", help="handle (with or without @) or email address")
        parser.add_argument("role", choices=Role.values)

    def handle(self, *args, user: str, role: str, **options):
        account = selectors.user_find(identifier=user)
        if account is None:
            raise CommandError(f"No account with handle or email {user!r}.")
        services.user_role_set(actor=None, user=account, role=role)
        self.stdout.write(self.style.SUCCESS(f"{account} is now {Role(role).label.lower()}."))
