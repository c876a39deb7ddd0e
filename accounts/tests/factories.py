import factory
from allauth.account.models import EmailAddress

from accounts.models import Role, User
from accounts.services import user_create

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.Factory):
    """Users made through the service, with a verified primary email (allauth)."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    handle = factory.Sequence(lambda n: f"user-{n}")
    display_name = factory.Faker("name")
    role = Role.LEARNER
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, **kwargs):
        user = user_create(**kwargs)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user
