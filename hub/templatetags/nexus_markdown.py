"""``{% load nexus_markdown %}``: render Markdown in a template, for the live preview only.

Stored content is rendered once on save by :func:`hub.markdown.render_markdown` and kept in
a column; pages show that column. This filter exists for the editor's preview endpoint,
where the text has not been saved yet::

    {% load nexus_markdown %}
    <div class="prose">{{ form.body.value|markdown_preview }}</div>

Mentions are not linked here (the preview has no handle lookup); everything else renders
and is sanitised exactly as on save.
"""

from django import template
from django.utils.safestring import SafeString, mark_safe

from hub.markdown import render_markdown

register = template.Library()


@register.filter(is_safe=True)
def markdown_preview(value: object) -> SafeString:
    """The sanitised HTML of ``value`` rendered as Markdown (empty for ``None``)."""
    source = "" if value is None else str(value)
    return mark_safe(render_markdown(source).html)  # noqa: S308 - nh3-sanitised above
