"""Images under ``content/images/`` for ``load_content`` and ``export_content``.

Pages show an image with ``![Alt text](images/NAME.jpg)``. Each image file
becomes a :class:`figures.models.Figure` whose key is the file name without its
extension (so ``images/NAME``, ``images/NAME.jpg`` and ``images/NAME.png`` in a
page all mean the same image). Alt text, caption and credit come from an
optional ``NAME.yml`` next to the image (``alt:``, ``caption:``, ``credit:``,
``decorative: true``); without an alt text there, the alt text of the first
Markdown reference is used (not for a decorative image, which has none). Like
the pages, every image is checked first (``path:line: message``) and written
only when nothing is wrong, in the same transaction.

Export writes each image as the site stores it: ``images/KEY.png`` (the
lossless master, see ``figures/images.py``) and ``images/KEY.yml`` with the
fields that are set, and removes any other file for the same key in that folder
(an original ``KEY.jpg`` or ``KEY.yaml``), which would otherwise clash with it on
the next load. Loading an export into an empty database and exporting again
gives the same files byte for byte, because processing a master gives back the
same master and the sidecar holds everything the figure has.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from core.markdown import image_references as references
from core.registry import registry
from editorial.content_files import ContentError, Problem, shown_path

FOLDER = "images"
KEY_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
SIDECAR_KEYS = {"alt", "caption", "credit", "decorative"}
SIDECAR_SUFFIXES = (".yml", ".yaml")  # in this order: export writes .yml
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


@dataclass
class ImageFile:
    key: str
    path: Path
    shown: str
    data: bytes
    meta: dict = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        meta = yaml.safe_dump(self.meta, sort_keys=True).encode("utf-8")
        return hashlib.sha256(self.data + b"\0" + meta).hexdigest()


def _sidecar(image: Path, shown: str, problems: list) -> dict:
    sidecars = [image.with_suffix(suffix) for suffix in SIDECAR_SUFFIXES]
    sidecars = [sidecar for sidecar in sidecars if sidecar.is_file()]
    if len(sidecars) > 1:
        names = " and ".join(sidecar.name for sidecar in sidecars)
        problems.append(Problem(shown, 1, f"two details files ({names}): keep one"))
        return {}
    for sidecar in sidecars:
        where = shown_path(image.parent.parent, sidecar)
        try:
            meta = yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            problems.append(Problem(where, 1, f"invalid YAML: {exc}"))
            return {}
        if not isinstance(meta, dict):
            problems.append(Problem(where, 1, "must be 'key: value' lines"))
            return {}
        unknown = set(meta) - SIDECAR_KEYS
        if unknown:
            known = ", ".join(sorted(SIDECAR_KEYS))
            problems.append(
                Problem(where, 1, f"unknown field(s) {', '.join(sorted(unknown))} (known: {known})")
            )
        out = {}
        for name in ("alt", "caption", "credit"):
            if meta.get(name) is not None:
                out[name] = str(meta[name]).strip()
        out["decorative"] = bool(meta.get("decorative", False))
        return out
    return {}


def read(root: Path, records: dict) -> tuple[dict[str, ImageFile], list]:
    """Check every image and every page's image references; nothing is written."""
    problems: list = []
    found: dict[str, ImageFile] = {}
    folder = root / FOLDER
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if (
                path.is_dir()
                or path.name.startswith(".")
                or path.suffix.lower() in SIDECAR_SUFFIXES
                or path.suffix.lower() == ".md"
            ):
                continue
            shown = shown_path(root, path)
            key = path.stem.lower()
            if not KEY_RE.match(key):
                problems.append(
                    Problem(shown, 1, "image file names must be lower-case letters, digits and '-'")
                )
                continue
            if key in found:
                problems.append(
                    Problem(shown, 1, f"two images are called '{key}' ({found[key].shown})")
                )
                continue
            data = path.read_bytes()
            try:
                registry.model("figure").check_image(data, path.name)
            except ValueError as exc:
                problems.append(Problem(shown, 1, f"this image cannot be used: {exc}"))
                continue
            found[key] = ImageFile(key, path, shown, data, _sidecar(path, shown, problems))

    known = set(registry.model("figure").objects.values_list("key", flat=True))
    first_alt: dict[str, str] = {}
    for kind_records in records.values():
        for record in kind_records:
            text = record.path.read_text(encoding="utf-8")
            for key, alt, line in references(text):
                if key not in found and key not in known:
                    problems.append(
                        Problem(
                            record.shown,
                            line,
                            f"no image called '{key}': put the file in content/{FOLDER}/ "
                            "(JPEG, PNG or WebP)",
                        )
                    )
                elif alt:
                    first_alt.setdefault(key, alt)
    for key, image in found.items():
        if not image.meta.get("alt") and not image.meta.get("decorative") and key in first_alt:
            image.meta["alt"] = first_alt[key]
        if not image.meta.get("alt") and not image.meta.get("decorative"):
            problems.append(
                Problem(
                    image.shown,
                    1,
                    f"'{key}' needs alt text: write it in the page as ![What it shows]"
                    f"(images/{image.path.name}) or in {image.path.with_suffix('.yml').name} "
                    "as 'alt: ...' (or 'decorative: true')",
                )
            )
    return found, problems


def write(found: dict[str, ImageFile], report, dry_run: bool = False) -> None:
    Figure = registry.model("figure")  # noqa: N806
    existing = {f.key: f for f in Figure.objects.filter(key__in=list(found))}
    for key, image in found.items():
        figure = existing.get(key)
        fingerprint = image.fingerprint
        if figure is not None and figure.source_hash == fingerprint:
            report.add("image", "unchanged")
            continue
        report.add("image", "created" if figure is None else "updated")
        if dry_run:
            continue  # files would be written to storage even though the database rolls back
        figure = figure or Figure(key=key)
        figure.set_image(image.data, image.path.name)
        figure.alt = image.meta.get("alt", "")
        figure.caption = image.meta.get("caption", "")
        figure.credit = image.meta.get("credit", "")
        figure.decorative = image.meta.get("decorative", False)
        figure.source_hash = fingerprint
        figure.save(rerender=False)  # the pages are rendered right after, in the same load


def sidecar_text(figure) -> str:
    """The ``KEY.yml`` for a figure: what :func:`_sidecar` reads back to the same values."""
    meta = {name: getattr(figure, name).strip() for name in ("alt", "caption", "credit")}
    meta = {name: value for name, value in meta.items() if value}
    if figure.decorative:
        meta["decorative"] = True
    return yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=10_000)


def export(root: Path) -> list[Path]:
    """Write every image (its stored master) and its details (a ``.yml`` beside it).

    Every file is read before anything is written, so a figure whose stored file
    is missing or unusable stops the export with a clear message and no file
    changed.
    """
    figures = list(registry.model("figure").objects.order_by("key"))
    if not figures:
        return []
    problems = []
    masters = []
    for figure in figures:
        where = f"image '{figure.key}'"
        if not KEY_RE.match(figure.key):
            problems.append(
                Problem(where, 1, "rename it in the admin: lower-case letters, digits and '-'")
            )
            continue
        if not figure.alt.strip() and not figure.decorative:
            problems.append(
                Problem(where, 1, "needs alt text (or 'decorative') in the admin before export")
            )
            continue
        try:
            data, extension = figure.master_file()
        except (OSError, ValueError) as exc:
            problems.append(Problem(where, 1, f"its stored file cannot be read ({exc})"))
            continue
        masters.append((figure, data, extension))
    if problems:
        raise ContentError(problems)
    folder = Path(root) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for figure, data, extension in masters:
        path = folder / f"{figure.key}.{extension}"
        sidecar = folder / f"{figure.key}{SIDECAR_SUFFIXES[0]}"
        for other in folder.iterdir():
            # An older copy under another name would be a second image with this key.
            if (
                other.stem.lower() == figure.key
                and other.suffix.lower() in IMAGE_SUFFIXES + SIDECAR_SUFFIXES
                and other.name not in (path.name, sidecar.name)
                and other.is_file()
            ):
                other.unlink()
        path.write_bytes(data)
        sidecar.write_bytes(sidecar_text(figure).encode("utf-8"))
        written.extend([path, sidecar])
    return written
