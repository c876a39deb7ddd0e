"""`make run`'s first step: migrate when migrations are pending, then seed the demo data, in
one process (each `manage.py` start costs seconds of imports, and a migrate with nothing to
apply still rebuilds the project state and reruns its post-migrate handlers)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = "Apply pending migrations (only if any), then seed the demo data (idempotent)."
    # The development server runs the system checks next; not twice.
    requires_system_checks = []

    def handle(self, *args, **options) -> None:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            self.stdout.write(f"Applying {len(plan)} database migrations…")
            call_command("migrate", interactive=False, verbosity=0, skip_checks=True)
        call_command("seed_demo", skip_checks=True, stdout=self.stdout)
