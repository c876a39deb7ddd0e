"""Small template filters every app may use."""

from django import template

from hub.links import url_domain

register = template.Library()


@register.filter
def domain(url: str) -> str:
    """`https://www.example.com/blog` -> `example.com`: shown next to outside links. The
    link rule's own reading (hub.links.url_domain), so a `\\@` trick cannot show one host
    while the browser goes to another."""
    return url_domain(url)
