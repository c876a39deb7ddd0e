from django.contrib import admin

from ops.models import TaskRun, WorkerHeartbeat


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    list_display = ["task", "target", "state", "attempt", "started_at", "duration_ms"]
    list_filter = ["state", "task"]
    search_fields = ["task_id", "task", "target"]
    readonly_fields = [f.name for f in TaskRun._meta.fields]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "pid", "queues", "seen_at"]
