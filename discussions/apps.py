from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "discussions"
    verbose_name = "Discussions"

    def ready(self) -> None:
        from accounts.extensions import register_profile
        from discussions import search
        from discussions.events import register_topics
        from discussions.profile import profile_extras
        from discussions.selectors import unanswered_where_watching
        from notifications.emails import DIGEST_EXTRAS

        register_topics()
        # A profile's questions, answers and topics (accounts does not import discussions).
        register_profile(profile_extras)
        search.register()  # questions in the site search (hub.search)
        # The digest lists unanswered questions where the person watches.
        DIGEST_EXTRAS.append(lambda user: unanswered_where_watching(user=user))
