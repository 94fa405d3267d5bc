"""When the glossary changes, pages re-render so their term links stay right."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import GlossaryTerm

SUSPENDED = {"value": False}


def rerender_pages(skip=()):
    """Render every page again (not those in ``skip``: already rendered with this glossary)."""
    from faq.models import FAQ
    from procedures.models import Condition, Procedure

    skip = {(type(obj), obj.pk) for obj in skip}
    for model in (Procedure, Condition):
        for page in model.objects.all():
            if (model, page.pk) not in skip:
                page.render()
                page.save(update_fields=["body_html", "toc", "reading_grade", "reading_worst"])
    for faq in FAQ.objects.all():
        if (FAQ, faq.pk) not in skip:
            faq.render()
            faq.save(update_fields=["answer_html"])


@receiver(post_save, sender=GlossaryTerm)
@receiver(post_delete, sender=GlossaryTerm)
def glossary_changed(sender, **kwargs):
    if SUSPENDED["value"] or kwargs.get("raw"):
        return
    rerender_pages()
