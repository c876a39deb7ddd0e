"""Who may do what with accounts: plain functions of the acting user and the target."""

from accounts.models import Role, User


def can_edit_profile(actor: User, user: User) -> bool:
    return actor.is_authenticated and (actor.pk == user.pk or actor.is_admin)


def can_set_role(actor: User | None, user: User, role: str) -> bool:
    """Admins grant and take roles; nobody demotes themselves out of admin by accident.

    `actor=None` is the system itself (a management command run by an operator).
    """
    if role not in Role.values:
        return False
    if actor is None:
        return True
    if not (actor.is_authenticated and actor.is_admin):
        return False
    return not (actor.pk == user.pk and role != Role.ADMIN)
