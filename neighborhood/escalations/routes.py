from __future__ import annotations

from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import allow, require
from ..accounts.models import Role
from ..extensions import db
from ..forms import options, submit
from ..items.models import Item
from ..rendering import render, see_other
from ..timezone import local_today
from . import bp
from .forms import AnswerForm, AssignForm, ReturnForm
from .services import (
    answer,
    assign_from_above,
    bodies_for_level,
    may_handle,
    queue,
    send_back,
    take,
)

STAFF = (Role.COMMUNITY, Role.STREET, Role.ADMIN)


@bp.route("/queue")
@allow(*STAFF)
def index():
    show = "handled" if request.args.get("show") == "handled" else "waiting"
    page = db.paginate(queue(current_user, show), per_page=current_app.config["PAGE_SIZE"],
                       error_out=False)
    return render("escalations/index.html", block="results", page=page, show=show)


def _item(item_id: int) -> Item:
    item = db.get_or_404(Item, item_id)
    require(may_handle(current_user, item))
    return item


def _page(item: Item, status: int = 200, **forms):
    assign_form = forms.pop("assign_form", None) or AssignForm()
    assign_form.body_id.choices = options(bodies_for_level(current_user, item),
                                          lambda b: f"{b.kind.label} · {b.name}")
    return render("escalations/item.html", status=status, item=item, assign_form=assign_form,
                  answer_form=forms.get("answer_form") or AnswerForm(),
                  return_form=forms.get("return_form") or ReturnForm(), today=local_today())


@bp.route("/queue/<int:item_id>")
@allow(*STAFF)
def show(item_id: int):
    return _page(_item(item_id))


def _act(item_id: int, name: str, form, action, message: str):
    item = _item(item_id)
    if name == "assign_form":
        form.body_id.choices = []
    if submit(form, lambda: action(item, form), message):
        return see_other(url_for(".show", item_id=item.id))
    return _page(item, status=409 if item.state.value != "escalated" else 422, **{name: form})


@bp.route("/queue/<int:item_id>/take", methods=["POST"])
@allow(*STAFF)
def take_up(item_id: int):
    from flask_wtf import FlaskForm

    return _act(item_id, "take_form", FlaskForm(), lambda item, f: take(item, current_user),
                _("You have taken it up."))


@bp.route("/queue/<int:item_id>/answer", methods=["POST"])
@allow(*STAFF)
def answer_item(item_id: int):
    return _act(item_id, "answer_form", AnswerForm(),
                lambda item, f: answer(item, current_user, f.text.data),
                _("Answered. The grid reads it out at its next meeting."))


@bp.route("/queue/<int:item_id>/return", methods=["POST"])
@allow(*STAFF)
def return_item(item_id: int):
    return _act(item_id, "return_form", ReturnForm(),
                lambda item, f: send_back(item, current_user, f.reason.data),
                _("Sent back to the grid."))


@bp.route("/queue/<int:item_id>/assign", methods=["POST"])
@allow(*STAFF)
def assign_item(item_id: int):
    return _act(item_id, "assign_form", AssignForm(),
                lambda item, f: assign_from_above(item, current_user, f.body_id.data,
                                                  f.due_date.data, f.responsible_person.data or "",
                                                  local_today()),
                _("Handed to the body."))
