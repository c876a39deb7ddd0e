from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = "Nexus"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from hub import live, middleware, page_cache

        # Signing out (any door: allauth, the admin) closes that session's sockets.
        user_logged_out.connect(live.on_logged_out, dispatch_uid="hub.live.on_logged_out")
        user_logged_in.connect(middleware.on_logged_in, dispatch_uid="hub.middleware.on_logged_in")
        page_cache.connect()
