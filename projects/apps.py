from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        from accounts.extensions import register_profile
        from projects import search
        from projects.events import register_topics
        from projects.profile import profile_extras

        register_topics()
        # A profile's projects and, for mentors, reviews (accounts does not import projects).
        register_profile(profile_extras)
        search.register()  # projects in the site search (hub.search)
