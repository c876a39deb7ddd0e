from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "discussions"
    verbose_name = "Discussions"

    def ready(self) -> None:
        from discussions import search
        from discussions.events import register_topics
        from discussions.selectors import unanswered_where_watching
        from notifications.emails import DIGEST_EXTRAS

        register_topics()
        search.register()  # questions in the site search (hub.search)
        # The digest lists unanswered questions where the person watches.
        DIGEST_EXTRAS.append(lambda user: unanswered_where_watching(user=user))
