"""Pages of the third-party pool (DOMAIN R-TP-1..3, R-EV-4) for the performance office, a firm's
own page for its staff, and the target-change request on the project page (R-TG-3, R-TG-6).

Each form posts one command; bad input comes back beside its field, nothing changed.
"""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import login_required
from marshmallow import ValidationError

from workflows import clock
from workflows.commands import target_change, third_party
from workflows.errors import BusinessRuleRefused, Conflict, Forbidden, FormInvalid
from workflows.queries import target_change as target_views
from workflows.queries import third_party as pool
from workflows.queries.exports import XLSX

from . import labels, listing, schemas
from . import third_party_schemas as tps
from .auth import page_user
from .current import database
from .errors import status_of
from .extensions import db

bp = Blueprint("third_party", __name__)

# The audit actions and processes of this area, in the labels every page uses.
labels.ACTIONS.update(
    {
        "targets.changed": lazy_gettext("绩效目标已调整"),
        "third_party.rated": lazy_gettext("第三方机构评级"),
        "third_party.excluded": lazy_gettext("第三方机构停用"),
    }
)
labels.PROCESSES.update(
    {
        "target_change": "绩效目标调整 Target change",
        "third_party_rating": "第三方机构年度评级 Third-party rating",
    }
)


def _load(schema_cls) -> dict:
    return schema_cls().load(schemas.from_form(schema_cls, request.form))


def _attempt(action):
    """Run ``action``; field errors (and a refusal's reason under ``_form``) with their status."""
    try:
        return action(), {}, 200
    except ValidationError as exc:
        return None, schemas.field_errors(exc), 400
    except FormInvalid as exc:
        return None, exc.fields, 400
    except (BusinessRuleRefused, Conflict, Forbidden) as exc:
        return None, {"_form": [str(exc)]}, status_of(exc)


def _owner():
    user = page_user()
    if not third_party.may_manage_pool(user.actor):
        abort(404)
    return user


def _list_page(errors: dict | None = None, status: int = 200, form: str = ""):
    session = db.session
    listed = listing.list_args(request.args, pool.POOL_SORTS)
    found = pool.institutions_page(session, listed.order, page=listed.page, per_page=listed.per_page)
    return (
        render_template(
            "third_party/index.html",
            found=found,
            institutions=found.items,
            rounds=pool.rating_rounds(session),
            errors=errors or {},
            form=request.form if request.method == "POST" else {},
            which=form,
            this_year=clock.now().year,
        ),
        status,
    )


@bp.get("/third-party")
@login_required
def index():
    user = page_user()
    if not third_party.may_manage_pool(user.actor):
        own = pool.institution_of(db.session, user.username) if "third_party" in user.roles else None
        if own is None:
            abort(404)
        return redirect(url_for("third_party.show", institution_id=own))
    return _list_page()


@bp.post("/third-party")
@login_required
def admit():
    user = _owner()
    created, errors, status = _attempt(
        lambda: third_party.admit(
            database(), third_party.NewInstitution(**_load(tps.InstitutionCreate)), actor=user.actor
        )
    )
    if errors:
        return _list_page(errors, status, "admit")
    flash(_("已入库"))
    return redirect(url_for("third_party.show", institution_id=created))


@bp.post("/third-party/ratings")
@login_required
def start_rating():
    user = _owner()
    started, errors, status = _attempt(
        lambda: third_party.start_rating(database(), _load(tps.RatingStart)["year"], actor=user.actor)
    )
    if errors:
        return _list_page(errors, status, "rating")
    flash(_("已发起年度评级，请在待办中评定"))
    return redirect(url_for("inbox.index"))


def _detail_page(institution_id: int, errors: dict | None = None, status: int = 200, form: str = ""):
    user = page_user()
    session = db.session
    if not pool.may_read_institution(session, user.actor, institution_id):
        abort(404)
    return (
        render_template(
            "third_party/show.html",
            **pool.institution(session, institution_id),
            may_manage=third_party.may_manage_pool(user.actor),
            methods=third_party.PROCUREMENT_METHODS,
            projects=pool.project_codes(session) if third_party.may_manage_pool(user.actor) else [],
            errors=errors or {},
            form=request.form if request.method == "POST" else {},
            which=form,
        ),
        status,
    )


@bp.get("/third-party.xlsx")
@login_required
def pool_workbook():
    """第三方机构库 in the order shown (issue 12, item 7)."""
    _owner()
    order = listing.list_args(request.args, pool.POOL_SORTS).order
    data = pool.pool_workbook(db.session, order)
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name="第三方机构库.xlsx")


@bp.get("/third-party/<int:institution_id>")
@login_required
def show(institution_id: int):
    return _detail_page(institution_id)


def _act_on(institution_id: int, form: str, action, done: str):
    _done, errors, status = _attempt(action)
    if errors:
        return _detail_page(institution_id, errors, status, form)
    flash(done)
    return redirect(url_for("third_party.show", institution_id=institution_id))


@bp.post("/third-party/<int:institution_id>/engagements")
@login_required
def engage(institution_id: int):
    user = _owner()

    def act():
        body = _load(tps.EngagementCreate)
        return third_party.engage(
            database(), third_party.NewEngagement(institution_id, **body), actor=user.actor
        )

    return _act_on(institution_id, "engage", act, _("已登记委托"))


@bp.post("/third-party/<int:institution_id>/blacklist")
@login_required
def blacklist(institution_id: int):
    user = _owner()
    return _act_on(
        institution_id,
        "blacklist",
        lambda: third_party.blacklist(
            database(), institution_id, _load(tps.BlacklistBody)["reason"], actor=user.actor
        ),
        _("已列入失信黑名单"),
    )


@bp.post("/third-party/<int:institution_id>/members")
@login_required
def add_member(institution_id: int):
    user = _owner()
    return _act_on(
        institution_id,
        "member",
        lambda: third_party.add_member(
            database(), institution_id, _load(tps.MemberAdd)["username"], actor=user.actor
        ),
        _("已添加机构人员"),
    )


# --- target changes on the project page (R-TG-3, R-TG-6) ---------------------------------


@bp.post("/projects/<int:project_id>/target-change")
@login_required
def request_target_change(project_id: int):
    user = page_user()
    started, errors, status = _attempt(
        lambda: target_change.request_change(database(), project_id, actor=user.actor)
    )
    if errors:
        flash("；".join(errors.get("_form", [])) or _("无法申请调整"), "error")
        return redirect(url_for("projects.show", project_id=project_id))
    flash(_("已发起绩效目标调整申请，请填报调整内容"))
    task_id = target_views.first_open_task(db.session, started)
    if task_id:
        return redirect(url_for("tasks.show", task_id=task_id))
    return redirect(url_for("projects.show", project_id=project_id))


@bp.post("/projects/<int:project_id>/target-versions/<int:version_id>/republished")
@login_required
def mark_republished(project_id: int, version_id: int):
    user = page_user()
    _done, errors, _status = _attempt(
        lambda: target_change.mark_republished(database(), version_id, actor=user.actor)
    )
    if errors:
        flash("；".join(errors.get("_form", [])) or _("无法登记"), "error")
    else:
        flash(_("已登记重新公开"))
    return redirect(url_for("projects.show", project_id=project_id))


@bp.app_template_global()
def target_versions(project_id: int) -> list:
    return target_views.versions(db.session, project_id)


@bp.app_template_global()
def target_change_open(project_id: int) -> int | None:
    return target_views.open_request_id(db.session, project_id)


@bp.app_template_global()
def may_request_target_change(project) -> bool:
    """The button only where the command would start a request (R-TG-3: approved targets, the
    project's unit, not evaluated, none open)."""
    return target_change.may_request_change(db.session, project, page_user().actor)


@bp.app_template_global()
def may_mark_republished() -> bool:
    return bool(page_user().actor.roles & target_change.PUBLISHERS)


@bp.app_template_global()
def target_change_comparison(task) -> dict | None:
    return target_views.comparison(db.session, task)


@bp.app_template_global()
def may_open_third_party() -> bool:
    roles = page_user().roles
    return bool(roles & third_party.POOL_OWNERS) or "third_party" in roles
