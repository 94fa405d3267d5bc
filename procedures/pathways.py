"""Care pathways: the usual steps from one procedure to the next.

Data, not page HTML: each pathway is a list of steps, and the procedure pages
listed in ``shown_on`` show it with ``templates/includes/pathway.html``. A step
that names a procedure ``slug`` links to that page when it is published.
Add or change a pathway here; the wording follows the procedure pages.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    slug: str = ""  # a procedure page to link to, if any


@dataclass(frozen=True)
class Pathway:
    title: str
    intro: str
    steps: tuple[Step, ...]
    shown_on: tuple[str, ...]


PATHWAYS = (
    Pathway(
        title="From test blocks to nerve ablation",
        intro="For pain from the facet joints, the usual path has three steps.",
        steps=(
            Step(
                "First medial branch block",
                "A test with numbing medicine. You keep a pain diary for a few hours.",
                "medial-branch-block",
            ),
            Step(
                "Second medial branch block",
                "Done on another day, to check the first result.",
                "medial-branch-block",
            ),
            Step(
                "Radiofrequency ablation",
                "Offered if both blocks gave good, short relief. It may give longer relief.",
                "radiofrequency-ablation",
            ),
        ),
        shown_on=("medial-branch-block", "radiofrequency-ablation"),
    ),
    Pathway(
        title="From a stimulator trial to an implant",
        intro="You try spinal cord stimulation before any implant.",
        steps=(
            Step(
                "Stimulator trial",
                "Temporary wires for about a week at home, with a pain diary.",
                "spinal-cord-stimulation",
            ),
            Step(
                "Decide together",
                "You and your doctor look at how much the trial helped.",
            ),
            Step(
                "Implant",
                "Only if the trial helped enough. This is a small operation.",
                "spinal-cord-stimulation",
            ),
        ),
        shown_on=("spinal-cord-stimulation",),
    ),
    Pathway(
        title="From discography to a surgical opinion",
        intro="Discography is a test that helps you and a surgeon decide about surgery.",
        steps=(
            Step("Discography", "Dye is put into one or more discs.", "discography"),
            Step("Results", "Your doctor explains which disc, if any, seems to cause the pain."),
            Step(
                "Surgical opinion",
                "You talk with a spine surgeon about whether surgery makes sense for you.",
            ),
        ),
        shown_on=("discography",),
    ),
)


def pathways_for(slug: str) -> list[Pathway]:
    return [pathway for pathway in PATHWAYS if slug in pathway.shown_on]


def linked_slugs(pathways: list[Pathway]) -> set[str]:
    return {step.slug for pathway in pathways for step in pathway.steps if step.slug}
