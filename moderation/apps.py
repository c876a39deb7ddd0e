from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from hub import hooks
        from moderation import events, guide_hooks

        events.register_topics()
        # The guide closes questions as answered there; the log records it (guides does
        # not import moderation).
        hooks.connect("guide.question_closed", guide_hooks.question_closed_in_guide)
        hooks.connect("guide.question_reopened", guide_hooks.question_reopened_from_guide)
        # Proposals, "not helpful" notes and reviews change the queue's guide tab.
        hooks.connect("guide.queue_changed", events.queue_changed)
