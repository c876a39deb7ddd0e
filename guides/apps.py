from django.apps import AppConfig


class GuidesConfig(AppConfig):
    name = "guides"
    verbose_name = "Guides"

    def ready(self) -> None:
        from guides import events, extensions, search

        events.register_topics()
        # The thread page and the ask page learn about the guide through discussions'
        # extension points; discussions never imports guides.
        extensions.register()
        search.register()  # guide sections in the site search (hub.search)
