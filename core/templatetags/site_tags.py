"""Template tags for the public pages: breadcrumbs, block text and JSON-LD."""

from django import template
from django.template.loader_tags import BLOCK_CONTEXT_KEY
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core import seo

register = template.Library()


@register.inclusion_tag("includes/breadcrumbs.html")
def breadcrumbs(*pairs):
    """``{% breadcrumbs url1 "Label 1" "" "This page" %}``: (url, label) pairs after "Home".

    An empty url marks the current page (shown as text with aria-current).
    """
    if len(pairs) % 2:
        raise template.TemplateSyntaxError("breadcrumbs takes pairs of url and label")
    return {"crumbs": [(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)]}


@register.simple_tag(takes_context=True)
def block_text(context, name):
    """The rendered text of a block of the current page, e.g. the title for og:title.

    Lets a page set its title and description once (``{% block title %}``) and
    base.html reuse them in the Open Graph tags.
    """
    block_context = context.render_context.get(BLOCK_CONTEXT_KEY)
    node = block_context.get_block(name) if block_context else None
    if node is None:
        return ""
    with context.push():
        context["block"] = node
        text = node.nodelist.render(context)
    return mark_safe(" ".join(text.split()))  # already escaped by the block's own rendering


@register.simple_tag(takes_context=True)
def json_ld_page(context, page, about_type):
    return seo.script(seo.medical_web_page(page, about_type, context["clinic"]))


@register.simple_tag
def json_ld_faq(faqs):
    return seo.script(seo.faq_page(faqs))


@register.simple_tag(takes_context=True)
def json_ld_clinic(context):
    return seo.script(seo.clinic(context["clinic"]))


@register.simple_tag(takes_context=True)
def nav_link(context, view_name, label, *section_views):
    """A main-navigation link marked aria-current on its own page and within its section."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    if current == view_name:
        marker = ' aria-current="page"'
    elif current in section_views:
        marker = ' aria-current="true"'
    else:
        marker = ""
    return format_html('<a href="{}"{}>{}</a>', reverse(view_name), mark_safe(marker), label)
