"""Every URL a person can store goes through the one link rule (hub.links).

This test walks every model of every Nexus app and every form class in their modules,
and fails on a field that looks like a URL (a URLField, a URLInput widget, or a name such
as ``website``, ``*_url``, ``link``, ``homepage``, ``repository``) but is not a
`LinkField` / `LinkFormField`. A new field cannot skip the rule without a line in
NOT_STORED_FROM_PEOPLE saying why.
"""

import contextlib
import importlib
import inspect
import re
import sys

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.db import models

from hub.links import LinkField, LinkFormField

NEXUS_APPS = [
    config
    for config in apps.get_app_configs()
    if not config.name.startswith(("django.", "allauth", "channels", "daphne", "django_htmx"))
]
URLISH_NAME = re.compile(r"(^|_)(url|urls|uri|website|homepage|link|href|repository)($|_)")

# Fields whose name says URL but whose value no person types: each with its reason.
NOT_STORED_FROM_PEOPLE = {
    # A site path ("/q/42#answer-7") built by services from get_absolute_url().
    "notifications.Notification.url",
    # The site path of the acted-on object, written by moderation's log from the target.
    "moderation.LogEntry.target_url",
}


def _model_fields():
    for config in NEXUS_APPS:
        for model in config.get_models():
            for field in model._meta.get_fields():
                if field.concrete and not field.is_relation:
                    yield f"{model._meta.app_label}.{model.__name__}.{field.name}", field


def _form_classes():
    """Form classes in every module the site loads: the URLconf (every view, so every
    form a view uses), the API and GraphQL doors it mounts, and each app's forms module."""
    importlib.import_module(settings.ROOT_URLCONF)
    for config in NEXUS_APPS:
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(f"{config.name}.forms")
    prefixes = tuple(config.name + "." for config in NEXUS_APPS)
    seen = set()
    for name, module in list(sys.modules.items()):
        if not name.startswith(prefixes) or ".tests" in name or module is None:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name and cls not in seen:
                seen.add(cls)
                yield cls


def _form_fields():
    for cls in _form_classes():
        try:
            fields = cls.base_fields
        except AttributeError:
            continue
        for name, field in fields.items():
            yield f"{cls.__module__}.{cls.__name__}.{name}", name, field


def _model_field_is_urlish(name: str, field) -> bool:
    return isinstance(field, models.URLField | LinkField) or bool(URLISH_NAME.search(name))


def test_every_url_ish_model_field_uses_the_link_rule():
    checked, skipping = [], []
    for label, field in _model_fields():
        if not _model_field_is_urlish(field.name, field) or label in NOT_STORED_FROM_PEOPLE:
            continue
        checked.append(label)
        if not isinstance(field, LinkField):
            skipping.append(f"{label} ({type(field).__name__})")
    assert not skipping, f"URL fields that skip hub.links: {skipping}"
    # The walk found what we know is there (it cannot pass by finding nothing).
    assert {"accounts.User.website", "projects.Project.repository_url"} <= set(checked)


def test_every_url_ish_form_field_uses_the_link_rule():
    checked, skipping = [], []
    for label, name, field in _form_fields():
        urlish = (
            isinstance(field, forms.URLField | LinkFormField)
            or isinstance(field.widget, forms.URLInput)
            or bool(URLISH_NAME.search(name))
        )
        if not urlish:
            continue
        checked.append(label)
        if not isinstance(field, LinkFormField):
            skipping.append(f"{label} ({type(field).__name__})")
    assert not skipping, f"URL form fields that skip hub.links: {skipping}"
    assert {
        "accounts.forms.ProfileForm.website",
        "projects.forms.ProjectForm.demo_url",
        "discussions.forms.AskForm.repository",
    } <= set(checked)


def test_the_exempt_fields_exist():
    """An exemption for a field that was renamed or removed is a stale hole: drop it."""
    labels = {label for label, _ in _model_fields()}
    assert labels >= NOT_STORED_FROM_PEOPLE


@pytest.mark.parametrize(
    "field",
    [
        models.URLField(name="homepage"),
        models.CharField(name="callback_url", max_length=200),
    ],
)
def test_the_walk_would_catch_a_new_plain_field(field):
    """The detector itself: a URLField or a *_url CharField counts as URL-ish."""
    assert _model_field_is_urlish(field.name, field)
    assert not isinstance(field, LinkField)
