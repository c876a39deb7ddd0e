"""Small template filters every app may use."""

from django import template

from hub.links import url_domain
from hub.routes import url_pattern

register = template.Library()


@register.simple_tag
def route(name: str) -> str:
    """`{% url name %}` for a route without arguments, reversed once per process
    (hub.routes): for links a page repeats per row, such as "Log in" under each section."""
    return url_pattern(name, slots=0)


@register.filter
def domain(url: str) -> str:
    """`https://www.example.com/blog` -> `example.com`: shown next to outside links. The
    link rule's own reading (hub.links.url_domain), so a `\\@` trick cannot show one host
    while the browser goes to another."""
    return url_domain(url)
