"""Language: Chinese by default, English on request; the choice is kept in the session."""
from flask import current_app, has_request_context, session
from flask_babel import get_locale
from flask_login import current_user

from .extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    """The code of the interface language in use, a key of LANGUAGES (zh_CN, en)."""
    locale = get_locale()
    code = f"{locale.language}_{locale.territory}" if locale.territory else locale.language
    return code if code in current_app.config["LANGUAGES"] else locale.language


def html_lang() -> str:
    """The BCP 47 tag for <html lang>: zh-CN, en."""
    return current_language().replace("_", "-")


def init_app(app) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    app.jinja_env.globals.update(
        html_lang=html_lang, current_language=current_language, LANGUAGES=app.config["LANGUAGES"]
    )
