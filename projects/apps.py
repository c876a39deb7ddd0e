from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        from projects import search
        from projects.events import register_topics

        register_topics()
        search.register()  # projects in the site search (hub.search)
