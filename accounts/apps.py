from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import ratelimits
        from accounts.events import register_topics

        register_topics()
        ratelimits.install()
