"""HTML input for discussions. Shape only: the services own the rules."""

from django import forms

from discussions.models import BODY_MAX, COMMENT_MAX, TITLE_MAX, TITLE_MIN, Category
from hub.links import LinkFormField

MARKDOWN_HELP = "Markdown: **bold**, `code`, ```fenced blocks```, [links](https://…), @handle."


def _markdown_widget(rows: int, placeholder: str) -> forms.Textarea:
    return forms.Textarea(
        attrs={
            "rows": rows,
            "placeholder": placeholder,
            "data-markdown-editor": "",
            "spellcheck": "true",
        }
    )


class QuestionForm(forms.Form):
    title = forms.CharField(
        min_length=TITLE_MIN,
        max_length=TITLE_MAX,
        help_text="Be specific: “Why does my DRF serializer ignore a nested field?”",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), label="Topic", empty_label="Choose a topic…"
    )
    tags = forms.CharField(
        required=False,
        max_length=200,
        help_text="Up to 5, separated by spaces or commas, e.g. drf serializers.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "tag-suggestions"}),
    )
    body = forms.CharField(
        max_length=BODY_MAX,
        label="Your question",
        help_text=MARKDOWN_HELP,
        widget=_markdown_widget(10, "What are you trying to do, and what happens instead?"),
    )


class AskForm(QuestionForm):
    """The ask page adds optional labelled parts that become sections of the body."""

    body = forms.CharField(
        max_length=BODY_MAX,
        required=False,
        label="Your question",
        help_text=MARKDOWN_HELP,
        widget=_markdown_widget(8, "What are you trying to do, and what happens instead?"),
    )
    tried = forms.CharField(
        required=False,
        max_length=5000,
        label="What I tried",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    error = forms.CharField(
        required=False,
        max_length=10000,
        label="The error / traceback",
        help_text="Paste it whole; it is shown as code.",
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono"}),
    )
    versions = forms.CharField(
        required=False,
        max_length=300,
        label="Versions",
        help_text="e.g. Python 3.13, Django 6.1, DRF 3.16",
    )
    repository = LinkFormField(
        required=False,
        label="Repository link",
        widget=forms.URLInput(attrs={"placeholder": "https://github.com/you/project"}),
    )
    project = forms.IntegerField(required=False, widget=forms.HiddenInput)
    field_order = ["title", "category", "tags", "body", "tried", "error", "versions", "repository"]

    def clean(self):
        data = super().clean()
        sections = [data.get("body", "").strip()]
        if data.get("tried", "").strip():
            sections.append(f"### What I tried\n\n{data['tried'].strip()}")
        if data.get("error", "").strip():
            fence = "````" if "```" in data["error"] else "```"
            sections.append(f"### The error\n\n{fence}text\n{data['error'].strip()}\n{fence}")
        if data.get("versions", "").strip():
            sections.append(f"### Versions\n\n{data['versions'].strip()}")
        if data.get("repository"):
            sections.append(f"### Repository\n\n<{data['repository']}>")
        body = "\n\n".join(s for s in sections if s)
        if not body and "body" not in self.errors:
            self.add_error("body", "Describe your question.")
        elif len(body) > BODY_MAX:
            self.add_error("body", f"All together this is over {BODY_MAX:,} characters.")
        data["body"] = body
        return data


class AnswerForm(forms.Form):
    body = forms.CharField(
        max_length=BODY_MAX,
        label="Your answer",
        help_text=MARKDOWN_HELP,
        widget=_markdown_widget(7, "Explain what fixes it, and why."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        max_length=COMMENT_MAX,
        label="Comment",
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "Ask for a detail or suggest an improvement…"}
        ),
    )
