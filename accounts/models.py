"""The Nexus user: email login, a unique public handle, a role in the program."""

import hashlib
import re

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from hub.links import LinkField
from hub.routes import urls_for

HANDLE_MIN, HANDLE_MAX = 3, 30
handle_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$",
    "Use lower-case letters, digits, '-' or '_', starting and ending with a letter or digit.",
    code="invalid_handle",
)
# Handles that would read as the site speaking, or collide with a URL.
RESERVED_HANDLES = frozenset(
    {
        "admin", "administrator", "api", "accounts", "account", "settings", "me", "mentor",
        "mentors", "moderator", "nexus", "root", "staff", "support", "system", "help",
        "graphql", "static", "media", "ws", "healthz", "readyz", "null", "none", "anonymous",
    }
)  # fmt: skip
AVATAR_COLOURS = 8


class Role(models.TextChoices):
    LEARNER = "learner", "Learner"
    MENTOR = "mentor", "Mentor"
    ADMIN = "admin", "Admin"


class Track(models.TextChoices):
    BACKEND = "backend", "Backend"
    FRONTEND = "frontend", "Frontend"
    FULLSTACK = "fullstack", "Full-stack"
    DEVOPS = "devops", "DevOps"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        """`createsuperuser`'s door: the one handle rule holds (a ValidationError becomes
        the command's error). Without a handle, one is made from the address's local part
        ("john.doe" -> "john-doe")."""
        from accounts.services import handle_validate  # services import this module

        fields.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        handle = fields.get("handle") or handle_from_email(email)
        fields["handle"] = handle_validate(handle=handle)
        return self.create_user(email, password, **fields)


def handle_from_email(email: str) -> str:
    """The address's local part in the handle alphabet, e.g. `John.Doe+x` -> `john-doe-x`."""
    local = re.sub(r"[^a-z0-9_-]+", "-", email.split("@")[0].lower())
    return local.strip("-_")[:HANDLE_MAX].strip("-_")


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", max_length=254, unique=True)
    handle = models.CharField(
        max_length=HANDLE_MAX,
        unique=True,
        validators=[handle_validator],
        help_text="Your public name in URLs and @mentions, e.g. ada-l.",
    )
    display_name = models.CharField(max_length=60, blank=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.LEARNER)
    bio = models.TextField(max_length=1000, blank=True)
    github = models.CharField(
        "GitHub user",
        max_length=39,
        blank=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$",
                "Enter a GitHub user name (letters, digits and single hyphens).",
            )
        ],
    )
    # The one link rule (hub.links); normalised by user_profile_update.
    website = LinkField(blank=True)
    cohort = models.CharField(max_length=40, blank=True, help_text="e.g. 2026-spring")
    track = models.CharField(max_length=10, choices=Track.choices, blank=True)
    suspended_until = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=500, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Bumped by "sign out everywhere": part of the session auth hash, so every session
    # signed before it is refused on its next request (and its sockets close).
    session_version = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["handle"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="accounts_user_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["role"], name="accounts_user_role_idx")]

    def __str__(self) -> str:
        return f"@{self.handle}"

    def get_absolute_url(self) -> str:
        return self.urls["profile"]

    @property
    def urls(self) -> dict[str, str]:
        """Links to this person (hub.routes: reversed once per process, not per byline;
        not cached on the row, since a handle can change under it)."""
        return urls_for(self.handle, {"profile": ("accounts:profile",)})

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's hash of the password, plus `session_version` once it was bumped
        (version 0 keeps Django's own hash, so deploying this signed nobody out)."""
        if not self.session_version:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_version}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def name(self) -> str:
        return self.display_name or self.handle

    @property
    def initials(self) -> str:
        words = [w for w in self.name.replace("-", " ").replace("_", " ").split() if w]
        letters = "".join(w[0] for w in words[:2]) or self.handle[:1]
        return letters.upper()

    @property
    def avatar_colour(self) -> int:
        """A stable palette index (0..7) so each person keeps their colour."""
        return hashlib.blake2s(self.handle.encode(), digest_size=1).digest()[0] % AVATAR_COLOURS

    @property
    def is_mentor(self) -> bool:
        return self.role in (Role.MENTOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > timezone.now()


class TokenScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"
    MODERATE = "moderate", "Moderate"


def token_digest(raw: str) -> str:
    """The stored form of a token secret. The secret is 256 random bits, so a fast hash is
    as safe as a slow one (there is nothing to guess) and keeps every API request cheap."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal access token for the APIs. Only a SHA-256 digest of the secret is kept:
    the raw token is shown once, when it is made (docs/decisions/0010-api-tokens.md)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60)
    # The first characters of the secret, shown in lists so a person can tell tokens apart.
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="accounts_token_user_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not (self.is_revoked or self.is_expired)
