"""Small template filters every app may use."""

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def domain(url: str) -> str:
    """`https://www.example.com/blog` -> `example.com`: shown next to outside links."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    return (host or url).removeprefix("www.")
