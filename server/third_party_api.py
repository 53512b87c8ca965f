"""REST API of the third-party pool and target changes: ``/api/v1/third-party/...`` (R-TP-1..3,
R-EV-4) and ``/api/v1/projects/<id>/target-change`` (R-TG-3, R-TG-6).

The same marshmallow schemas and commands as the pages in :mod:`server.third_party`.
"""

from __future__ import annotations

from flask import abort

from workflows.commands import target_change, third_party
from workflows.queries import target_change as target_views
from workflows.queries import third_party as pool

from . import third_party_schemas as tps
from .auth import api_user, token_required
from .current import database
from .jsonbody import Blueprint

blp = Blueprint(
    "api_third_party", __name__, url_prefix="/api/v1", description="Third-party pool and target changes"
)


_errors = blp.errors  # the JSON error answers each view documents


def _owner():
    actor = api_user().actor
    if not third_party.may_manage_pool(actor):
        abort(403)
    return actor


def _detail(institution_id: int) -> dict:
    actor = api_user().actor
    with database().reading() as session:
        if not pool.may_read_institution(session, actor, institution_id):
            abort(404)
        return pool.detail_json(pool.institution(session, institution_id))


@blp.get("/third-party/institutions")
@token_required
@blp.response(200, tps.InstitutionSchema(many=True))
@_errors(401, 403)
def institutions():
    _owner()
    with database().reading() as session:
        return [pool.institution_json(r["institution"]) for r in pool.institutions(session)]


@blp.post("/third-party/institutions")
@token_required
@blp.arguments(tps.InstitutionCreate)
@blp.response(201, tps.InstitutionDetailSchema)
@_errors(400, 401, 403)
def admit(body):
    institution_id = third_party.admit(database(), third_party.NewInstitution(**body), actor=_owner())
    return _detail(institution_id)


@blp.get("/third-party/institutions/<int:institution_id>")
@token_required
@blp.response(200, tps.InstitutionDetailSchema)
@_errors(401, 404)
def institution(institution_id):
    return _detail(institution_id)


@blp.post("/third-party/institutions/<int:institution_id>/engagements")
@token_required
@blp.arguments(tps.EngagementCreate)
@blp.response(201, tps.InstitutionDetailSchema)
@_errors(400, 401, 403, 404, 422)
def engage(body, institution_id):
    third_party.engage(database(), third_party.NewEngagement(institution_id, **body), actor=_owner())
    return _detail(institution_id)


@blp.post("/third-party/institutions/<int:institution_id>/blacklist")
@token_required
@blp.arguments(tps.BlacklistBody)
@blp.response(200, tps.InstitutionDetailSchema)
@_errors(400, 401, 403, 404, 409)
def blacklist(body, institution_id):
    third_party.blacklist(database(), institution_id, body["reason"], actor=_owner())
    return _detail(institution_id)


@blp.post("/third-party/institutions/<int:institution_id>/members")
@token_required
@blp.arguments(tps.MemberAdd)
@blp.response(200, tps.InstitutionDetailSchema)
@_errors(400, 401, 403, 404)
def add_member(body, institution_id):
    third_party.add_member(database(), institution_id, body["username"], actor=_owner())
    return _detail(institution_id)


@blp.post("/third-party/ratings")
@token_required
@blp.arguments(tps.RatingStart)
@blp.response(201, tps.InstanceStartedSchema)
@_errors(400, 401, 403, 409, 422)
def start_rating(body):
    return {"instance_id": third_party.start_rating(database(), body["year"], actor=_owner())}


@blp.post("/projects/<int:project_id>/target-change")
@token_required
@blp.response(201, tps.InstanceStartedSchema)
@_errors(401, 403, 404, 409, 422)
def request_target_change(project_id):
    return {"instance_id": target_change.request_change(database(), project_id, actor=api_user().actor)}


@blp.get("/projects/<int:project_id>/target-versions")
@token_required
@blp.response(200, tps.TargetVersionSchema(many=True))
@_errors(401, 404)
def target_versions(project_id):
    with database().reading() as session:
        return target_views.readable_versions(session, api_user().actor, project_id)


def register(api) -> None:
    api.register_blueprint(blp)


def exempt_blueprints():
    return blp
