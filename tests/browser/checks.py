"""Checks run on every page the browser tests visit, and the sign-in step they share."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from neighborhood.demo import DEMO_PASSWORD

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
MIN_TARGET = 44  # px, the smallest touch target
IPAD = {"viewport": {"width": 810, "height": 1080}, "device_scale_factor": 2, "has_touch": True}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "has_touch": True,
         "is_mobile": True}


def check_axe(page: Page) -> None:
    """Run axe-core on the page as it is now; fail with a readable list of violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + n.failureSummary)}))"
    )
    if violations:
        lines = [f"axe found {len(violations)} violation(s) on {page.url}:"]
        for v in violations:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
            lines.extend("    " + node.replace("\n", "\n      ") for node in v["nodes"])
        pytest.fail("\n".join(lines), pytrace=False)


# Every visible control that a finger has to hit.
_SMALL_TARGETS = """
(min) => {
  const small = [];
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary')) {
    if (el.type === 'hidden') continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.height < min - 0.5) {
      const classes = typeof el.className === 'string' ? el.className.trim().split(/\\s+/) : [];
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        classes.filter(Boolean).map(c => '.' + c).join('');
      small.push(`${name} "${(el.innerText || el.value || el.name || '').trim().slice(0, 40)}" ` +
                 `${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
}
"""


def check_touch_targets(page: Page) -> None:
    """Every visible link, button and form control is at least MIN_TARGET px high."""
    small = page.evaluate(_SMALL_TARGETS, MIN_TARGET)
    assert not small, f"touch targets under {MIN_TARGET} px high on {page.url}:\n" + "\n".join(small)


def check_page(page: Page) -> None:
    """The checks every visited page gets: axe-core and touch targets."""
    check_axe(page)
    check_touch_targets(page)


def sign_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the form, as a user does; wait until the page says who is signed in."""
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("#login button[type=submit]").click()
    expect(page.locator("form[action$='/logout'] button")).to_be_visible()
