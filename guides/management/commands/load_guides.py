"""Load the guide's written articles into this database (safe in production).

    manage.py load_guides --as @grace           # add what is missing; edits are kept
    manage.py load_guides --as @grace --update  # also refresh sections only the loader wrote

Idempotent: run it after every deploy that changes guides/content.py.
"""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, User
from guides.services import guides_load


class Command(BaseCommand):
    help = "Load the reference guide's articles (idempotent; mentors' edits are kept)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as",
            dest="handle",
            default="",
            help="The mentor or admin credited with the sections (default: the first admin).",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Also refresh sections that nobody but this account has edited.",
        )

    def handle(self, *args, handle: str = "", update: bool = False, **options):
        handle = handle.lstrip("@").lower()
        if handle:
            editor = User.objects.filter(handle=handle, is_active=True).first()
            if editor is None:
                raise CommandError(f"No active account @{handle}.")
        else:
            editor = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
            if editor is None:
                raise CommandError("No admin account yet: name a mentor with --as @handle.")
        try:
            counts = guides_load(editor=editor, update=update)
        except PermissionDenied as error:
            raise CommandError(f"@{editor.handle} cannot write the guide: {error}") from error
        self.stdout.write(
            f"Guide loaded as @{editor.handle}: {counts['guides']} guides, "
            f"{counts['created']} sections created, {counts['updated']} updated, "
            f"{counts['unchanged']} left as they were."
        )
