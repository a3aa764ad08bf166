"""Message catalogues: ``flask --app wsgi translate update|compile|check``.

The commands need no app and no database, so they also run as
``python -m neighborhood.translate compile`` (from the repository root). Paths are taken from
this file, never from the working directory.

update   extract every msgid from the sources (as babel.cfg says) into a temporary messages.pot,
         merge it into each catalogue under neighborhood/translations (the zh_CN one is created
         if missing), remove the .pot. New msgids come in untranslated, or fuzzy when a similar
         old one exists: translate them, clear the fuzzy flags, then compile.
compile  write messages.mo beside each messages.po. The .mo files are not in git: run this after
         every checkout and before the tests (``pybabel compile -d neighborhood/translations``
         does the same).
check    fail, listing them, on msgids of the sources missing from the zh_CN catalogue,
         untranslated, fuzzy, or translated with other %(name)s placeholders than the msgid's,
         and on a catalogue folder that Flask-Babel would never read.

Chinese (zh_CN) is the default locale and must be complete; English is the msgid itself.

Where a catalogue lives: Flask-Babel parses the locale code with Babel, which turns zh_CN into
zh_Hans_CN, and then looks for translations/zh_Hans_CN/ (and translations/zh/), never zh_CN/.
So a catalogue's folder is named ``str(babel.Locale.parse(code))``: zh_CN → zh_Hans_CN.
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from functools import partial
from importlib import metadata
from pathlib import Path

import click
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
BABEL_CFG = ROOT / "babel.cfg"
TRANSLATIONS = PACKAGE / "translations"
DOMAIN = "messages"
PROJECT = "neighborhood"
# The default locale (BABEL_DEFAULT_LOCALE): its catalogue must be complete.
REQUIRED_LOCALE = "zh_CN"
# Also set per section in babel.cfg; repeated here so that a bare mapping cannot drop them.
KEYWORDS = ("_l", "lazy_gettext", "lazy_ngettext:1,2")
WIDTH = 100
HEADER = (
    "# Chinese (zh_CN) messages of 网格邻里会 (the neighborhood app); English is the msgid itself.\n"
    "# Keep it complete: flask --app wsgi translate update, translate, then translate check and\n"
    "# translate compile (the .mo files are built, not committed)."
)
# A named printf placeholder: %(name)s, %(num)d, %(rate).1f ...
PLACEHOLDER = re.compile(r"%\([^)]*\)[#0 +-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa]")


def _version() -> str:
    try:
        return metadata.version(PROJECT)
    except metadata.PackageNotFoundError:
        return "0"


def catalogue_name(locale: str) -> str | None:
    """The folder Flask-Babel reads for ``locale`` (zh_CN → zh_Hans_CN); None if Babel doesn't know it."""
    try:
        return str(Locale.parse(locale))
    except (ValueError, LookupError):
        return None


def po_path(locale: str) -> Path:
    return TRANSLATIONS / (catalogue_name(locale) or locale) / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalogue_paths() -> list[tuple[str, Path]]:
    """(folder name, path of its .po) of every catalogue, sorted."""
    return sorted((p.parent.parent.name, p) for p in TRANSLATIONS.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def misplaced_catalogues() -> list[Path]:
    """Catalogues in a folder that Flask-Babel never asks for, e.g. zh_CN/."""
    return [path for name, path in catalogue_paths() if catalogue_name(name) != name]


def extract() -> Catalog:
    """A template of every msgid in the sources, fresh, with locations relative to ROOT."""
    with BABEL_CFG.open(encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, str(BABEL_CFG))
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(KEYWORDS)}
    template = Catalog(project=PROJECT, version=_version(), charset="utf-8", fuzzy=False)
    extracted = extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords,
        comment_tags=("TRANSLATORS:",), strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in extracted:
        template.add(message, None, [(filename.replace(os.sep, "/"), lineno)],
                     auto_comments=comments, context=context)
    return template


def read_catalogue(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fileobj:
        return read_po(fileobj, locale=locale, domain=DOMAIN)


def _write_atomically(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmpname = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as fileobj:
            write(fileobj)
        os.replace(tmpname, path)
    except BaseException:
        os.unlink(tmpname)
        raise


def update_catalogues(*, fuzzy_matching: bool = True) -> list[Path]:
    """``pybabel extract`` then ``pybabel update`` (``init`` for a missing zh_CN catalogue)."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / f"{DOMAIN}.pot"
        with pot.open("wb") as fileobj:
            write_po(fileobj, extract(), width=WIDTH)
        template = read_catalogue(pot)
    paths = dict(catalogue_paths())
    paths.setdefault(catalogue_name(REQUIRED_LOCALE), po_path(REQUIRED_LOCALE))
    updated = []
    for name, path in sorted(paths.items()):
        if path.exists():
            catalog = read_catalogue(path, catalogue_name(name))
        else:
            catalog = Catalog(locale=name, domain=DOMAIN, project=PROJECT, version=_version(),
                              header_comment=HEADER, charset="utf-8", fuzzy=False)
        catalog.update(template, no_fuzzy_matching=not fuzzy_matching)
        _write_atomically(path, partial(write_po, catalog=catalog, width=WIDTH))
        updated.append(path)
    return updated


def compile_catalogues() -> list[Path]:
    """``pybabel compile``: messages.mo beside every messages.po; fuzzy entries are left out."""
    written = []
    for name, path in catalogue_paths():
        catalog = read_catalogue(path, catalogue_name(name))
        errors = [f"{path.relative_to(ROOT)}:{message.lineno}: {error}"
                  for message, message_errors in catalog.check() for error in message_errors]
        if errors:
            raise click.ClickException("\n".join(errors))
        mo = path.with_suffix(".mo")
        _write_atomically(mo, partial(write_mo, catalog=catalog, use_fuzzy=False))
        written.append(mo)
    return written


def placeholders(text: str | tuple | list | None) -> set[str]:
    texts = (text,) if isinstance(text, str) or text is None else text
    return {match for t in texts if t for match in PLACEHOLDER.findall(t)}


def is_translated(message: Message, num_plurals: int) -> bool:
    if isinstance(message.string, (list, tuple)):
        return len(message.string) >= num_plurals and all(message.string[:num_plurals])
    return bool(message.string)


def _show(message: Message) -> str:
    msgid = message.id if isinstance(message.id, str) else " | ".join(message.id)
    where = ", ".join(f"{file}:{line}" for file, line in message.locations[:3])
    context = f"[{message.context}] " if message.context else ""
    return f"{context}{msgid!r}" + (f"  ({where})" if where else "")


@dataclass
class Problems:
    """What stands between the sources and a complete catalogue."""

    missing: list[Message] = field(default_factory=list)
    untranslated: list[Message] = field(default_factory=list)
    fuzzy: list[Message] = field(default_factory=list)
    placeholders: list[tuple[Message, Message]] = field(default_factory=list)
    header_fuzzy: bool = False
    misplaced: list[Path] = field(default_factory=list)
    # In the catalogue but no longer in the sources: harmless, `update` makes them obsolete.
    stale: list[Message] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.missing or self.untranslated or self.fuzzy or self.placeholders
                    or self.header_fuzzy or self.misplaced)

    def lines(self) -> list[str]:
        out = []
        for path in self.misplaced:
            name = catalogue_name(path.parent.parent.name)
            out.append(f"misplaced     {path.relative_to(ROOT)}: Flask-Babel never reads this folder"
                       + (f"; it reads {name}/" if name else ""))
        if self.header_fuzzy:
            out.append("fuzzy         the catalogue header is marked fuzzy")
        out += [f"missing       {_show(m)}" for m in self.missing]
        out += [f"untranslated  {_show(m)}" for m in self.untranslated]
        out += [f"fuzzy         {_show(m)}" for m in self.fuzzy]
        for source, translated in self.placeholders:
            out.append(f"placeholders  {_show(source)}: {sorted(placeholders(source.id))} "
                       f"≠ {sorted(placeholders(translated.string))}")
        return out


def find_problems(template: Catalog, catalog: Catalog) -> Problems:
    """Compare a fresh extraction with a catalogue."""
    problems = Problems(header_fuzzy=catalog.fuzzy)
    for source in template:
        if not source.id:
            continue
        found = catalog.get(source.id, source.context)
        if found is None or found.id != source.id:  # absent, or a singular for a plural entry
            problems.missing.append(source)
        elif found.fuzzy:
            problems.fuzzy.append(source)
        elif not is_translated(found, catalog.num_plurals):
            problems.untranslated.append(source)
        else:
            expected = placeholders(source.id)
            strings = found.string if isinstance(found.string, (list, tuple)) else (found.string,)
            if any(placeholders(s) != expected for s in strings):
                problems.placeholders.append((source, found))
    problems.stale = [m for m in catalog if m.id and template.get(m.id, m.context) is None]
    return problems


def check_catalogue(locale: str = REQUIRED_LOCALE) -> Problems:
    path = po_path(locale)
    name = catalogue_name(locale)
    catalog = read_catalogue(path, name) if path.exists() else Catalog(locale=name, fuzzy=False)
    problems = find_problems(extract(), catalog)
    problems.misplaced = misplaced_catalogues()
    return problems


@click.group("translate")
def translate():
    """Extract, update, compile and check the message catalogues."""


@translate.command("update")
@click.option("--no-fuzzy-matching", is_flag=True,
              help="Do not offer similar old translations (marked fuzzy) for new msgids.")
def update_command(no_fuzzy_matching: bool):
    """Extract the msgids and merge them into every catalogue."""
    for path in update_catalogues(fuzzy_matching=not no_fuzzy_matching):
        click.echo(f"updated {path.relative_to(ROOT)}")
    problems = check_catalogue()
    if problems:
        click.echo(f"{len(problems.lines())} entries of {REQUIRED_LOCALE} need work: "
                   "see `translate check`.")


@translate.command("compile")
def compile_command():
    """Compile every catalogue to messages.mo."""
    for path in compile_catalogues():
        click.echo(f"compiled {path.relative_to(ROOT)}")


@translate.command("check")
@click.option("--locale", default=REQUIRED_LOCALE, show_default=True)
def check_command(locale: str):
    """Fail if a msgid of the sources is missing, untranslated or fuzzy in the catalogue."""
    path = po_path(locale)
    problems = check_catalogue(locale)
    for line in problems.lines():
        click.echo(line)
    for message in problems.stale:
        click.echo(f"note: no longer in the sources (`translate update` retires it): {_show(message)}")
    mo = path.with_suffix(".mo")
    if path.exists() and (not mo.exists() or mo.stat().st_mtime < path.stat().st_mtime):
        click.echo(f"note: {mo.relative_to(ROOT)} is missing or older than the .po: "
                   "run `translate compile`.")
    if problems:
        raise click.ClickException(f"{path.relative_to(ROOT)}: {len(problems.lines())} problems.")
    click.echo(f"{path.relative_to(ROOT)}: complete.")


if __name__ == "__main__":
    translate()
