"""The feedback form's endpoint: POST, then back to the page with a thank-you.

Nothing here logs what a visitor wrote: the only log lines are Django's own for
4xx responses, which name the path and status, never the form's contents.
"""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from procedures.models import Condition, Procedure

from .models import COMMENT_MAX_LENGTH, Feedback, PageType
from .protection import same_origin, within_rate_limit

PAGE_MODELS = {PageType.PROCEDURE: Procedure, PageType.CONDITION: Condition}
HONEYPOT = "website"
ANSWERS = {"yes": True, "no": False}


def find_page(page_type: str, slug: str):
    model = PAGE_MODELS.get(page_type)
    if model is None or not slug:
        return None
    return model.objects.published().filter(slug=slug).only("pk", "slug", "title").first()


def thanks(page) -> HttpResponseRedirect:
    response = HttpResponseRedirect(f"{page.get_absolute_url()}?feedback=thanks#feedback")
    response.status_code = 303  # See Other: the page is fetched again with GET
    return response


def problem(request, status: int, message: str, page=None):
    return render(
        request,
        "feedback/problem.html",
        {"message": message, "back": page.get_absolute_url() if page else "", "page": page},
        status=status,
    )


@csrf_exempt  # protected by same_origin + rate limit + honeypot instead; see security.md
@require_POST
def submit(request):
    if not same_origin(request):
        return problem(request, 403, "We could not accept this form. Please go back and try again.")
    page = find_page(request.POST.get("page_type", ""), request.POST.get("page", ""))
    if not within_rate_limit(request):
        return problem(
            request,
            429,
            "Thank you. We have had many answers from your network in the last few minutes. "
            "So we could not save this one. Please try again later.",
            page,
        )
    if page is None:
        return problem(request, 400, "We could not tell which page this was about.")
    if request.POST.get(HONEYPOT):
        return thanks(page)  # a robot: say thanks, keep nothing
    helpful = ANSWERS.get(request.POST.get("helpful", ""))
    comment = request.POST.get("comment", "").replace("\r\n", "\n").strip()
    if helpful is None:
        return problem(request, 400, "Please choose Yes or No.", page)
    if len(comment) > COMMENT_MAX_LENGTH:
        return problem(
            request, 400, f"Please keep your comment to {COMMENT_MAX_LENGTH} characters.", page
        )
    Feedback.objects.create(
        page_type=request.POST["page_type"],
        page_slug=page.slug,
        page_title=page.title[:150],
        helpful=helpful,
        comment=comment,
    )
    return thanks(page)
