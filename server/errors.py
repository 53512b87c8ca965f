"""Errors mapped to HTTP in one place (STYLE: typed errors, one mapping).

API paths answer ``{"error": code, "message": text, "fields": {...}}``; pages answer an
error page. Never a stack trace, never a 500 for bad input.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from workflows import errors as wf

from .schemas import flat_errors

log = logging.getLogger(__name__)

STATUS_OF = [
    (wf.FormInvalid, 400),
    (wf.NotFound, 404),
    (wf.Forbidden, 403),
    (wf.Conflict, 409),
    (wf.BusinessRuleRefused, 422),
    (wf.DeployRejected, 422),
    (wf.ScriptError, 422),
    (wf.TreeTooDeep, 422),
    (wf.SignInLocked, 429),
]

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
}


def N_(msgid: str) -> str:
    """Marks a msgid for extraction (pybabel's ``N_``); it is translated where it is shown."""
    return msgid


_MESSAGES_ZH = {
    400: N_("请求无效"),
    401: N_("请先登录"),
    403: N_("无权进行此操作"),
    404: N_("未找到"),
    405: N_("不支持的请求方法"),
    409: N_("数据已被他人修改或任务已处理，请刷新后重试"),
    413: N_("文件过大"),
    415: N_("不支持的文件类型"),
    422: N_("业务规则不允许此操作"),
    429: N_("尝试次数过多，请稍后再试"),
    500: N_("服务器内部错误"),
}


# the error page's heading: what happened, in words (the status code stands below it, small)
_TITLES_ZH = {
    400: N_("提交有误"),
    401: N_("请先登录"),
    403: N_("没有权限"),
    404: N_("页面不存在"),
    405: N_("无法处理该请求"),
    409: N_("操作冲突"),
    413: N_("内容过大"),
    415: N_("文件类型不支持"),
    422: N_("无法办理"),
    429: N_("操作过于频繁"),
    500: N_("系统出错"),
}


# The domain's conflict words (workflows/ raises them in Chinese; it knows no language): listed here
# for the catalogue, so an English page reads them in English. A message not listed stays as raised.
CONFLICT_WORDS = (
    N_("你已认领该任务，无需重复认领"),
    N_("该任务已被他人认领或办结，请刷新后重试"),
    N_("该任务已办结，不能重复提交"),
    N_("该任务已办结，不能再上传附件"),
    N_("该任务已办结"),
    N_("该任务已取消"),
    N_("该任务当前不可办理（可能已办结），请刷新后重试"),
    N_("该流程刚被他人更新，请刷新后重试"),
    N_("任务已不在受托人名下"),
    N_("该项目已有绩效目标调整申请在办理中"),
    N_("该版本不需要重新公开"),
    N_("草稿已在其他窗口中修改，请刷新后再编辑"),
    N_("选取已被他人修改，请刷新后重试"),
    N_("该考核已评分"),
    N_("该事项已公开"),
)
_CONFLICT_WORDS = frozenset(CONFLICT_WORDS)


def _title(status: int) -> str:
    return _(_TITLES_ZH.get(status, _TITLES_ZH[500 if status >= 500 else 400]))


def _message(status: int) -> str:
    """The generic words for an HTTP status, in the page's language (the API's too)."""
    return _(_MESSAGES_ZH[status])


def status_of(exc: wf.JixiaoError) -> int:
    for cls, status in STATUS_OF:
        if isinstance(exc, cls):
            return status
    return 422


def wants_json() -> bool:
    return (
        request.path.startswith("/api/")
        or request.path.endswith(".json")
        or request.accept_mimetypes.best == "application/json"
    )


def error_response(status: int, code: str, message: str, fields: dict | None = None, back: str | None = None):
    """The error as JSON (API) or as the error page, ``back`` its way back to where the user was."""
    if wants_json():
        response = jsonify(error=code, message=message, fields=fields or {})
        response.status_code = status
        if status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response
    if status == 404 and message == _message(404):  # under the heading 页面不存在: what may be why
        message = _("要找的页面或任务不存在，或你没有查看它的权限。")
    return render_template(
        "error.html",
        status=status,
        title=_title(status),
        code=code,
        message=message,
        fields=fields or {},
        back=back,
    ), status


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"


def _way_back() -> str | None:
    """The page the refused post came from: the same address when it is a page, else the referrer."""
    try:
        current_app.create_url_adapter(request).match(request.path, method="GET")
        return request.path
    except HTTPException:
        pass
    return _referrer()


def _referrer() -> str | None:
    """The page of this site the user came from (not this one): a way back from a page not found."""
    referrer = request.referrer or ""
    if not referrer.startswith(request.host_url):
        return None
    back = "/" + referrer[len(request.host_url) :]
    return None if back.split("?")[0] == request.path else back


def too_large():
    """413: an upload over its limit, or any other body over ``JIXIAO_MAX_BODY_BYTES``."""
    limit = request.max_content_length
    if request.mimetype == "multipart/form-data":
        message = _("上传的文件过大（最多 %(size)s）", size=_megabytes(limit))
    else:
        message = _("提交的内容过大（最多 %(size)s），请删减后重试", size=_megabytes(limit))
    return error_response(413, "too_large", message, {"_request": [message]}, back=_way_back())


def _webargs_fields(exc: HTTPException) -> dict:
    """Flatten webargs' ``{"json": {"field": [...]}}`` into ``{"field": [...]}``."""
    messages = (getattr(exc, "data", None) or {}).get("messages") or {}
    fields: dict = {}
    for _location, errors in messages.items():
        fields.update(flat_errors(errors if isinstance(errors, dict) else {"_request": errors}))
    return fields


def register(app: Flask) -> None:
    @app.errorhandler(wf.JixiaoError)
    def _jixiao_error(exc: wf.JixiaoError):
        status = status_of(exc)
        fields = getattr(exc, "fields", None) or {}
        if isinstance(exc, wf.DeployRejected):
            fields = {"bundle": [str(e) for e in exc.errors]}
        if isinstance(exc, wf.NotFound):  # the same answer whatever was not found: ids cannot be probed
            return error_response(404, "not_found", _message(404), back=_referrer())
        message = _("表单填写有误，请按提示修改") if status == 400 else str(exc)
        if message in _CONFLICT_WORDS:
            message = _(message)
        # a conflict (someone else was first): back to the page it was sent from, to see what they did
        back = _way_back() if status == 409 and request.method == "POST" else None
        response = error_response(status, exc.code, message, fields, back=back)
        if isinstance(exc, wf.SignInLocked):
            response = make_response(response)
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.errorhandler(DataError)
    def _data_error(exc: DataError):
        # e.g. a NUL character PostgreSQL cannot store, a number out of a column's range
        return error_response(400, "invalid_request", _("数据包含无法保存的字符或数值"))

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        return error_response(400, "csrf_failed", _("页面已过期或缺少安全令牌，请刷新后重试"))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        if status == 413:
            return too_large()
        fields = _webargs_fields(exc)
        if status in (400, 422) and fields:
            # webargs reports request-shape errors as 422; the API contract says 400 per field
            return error_response(400, "invalid_request", _("请求数据无效"), fields)
        code = _HTTP_CODES.get(status, "error")
        message = _message(status) if status in _MESSAGES_ZH else (exc.description or code)
        return error_response(status, code, message, back=_referrer() if status == 404 else None)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", _message(500))
