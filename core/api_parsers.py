"""The API's one body parser: JSON, bounded in size and in nesting.

DRF's JSONParser reads any length and lets ``json`` recurse: a body nested 10,000 deep
raises RecursionError (a 500), and a huge body is read whole. No request the API offers
needs more than a few levels (a work return: return → arrests → caution → field) or more
than ``DATA_UPLOAD_MAX_MEMORY_SIZE``; beyond either is a 400 in the one error shape.
"""

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json

from .api_defaults import BodyTooLarge

DEFAULT_LIMIT = 2_621_440  # Django's own default, should the setting be switched off
MAX_DEPTH = 50  # the deepest real body is 5 levels; 50 leaves room, and bounds the walk


class BodyTooDeep(ParseError):
    default_detail = f"The request body is nested more than {MAX_DEPTH} levels deep."
    default_code = "too_deep"


def too_deep(value, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects nest deeper than ``limit`` (a loop, not recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or DEFAULT_LIMIT
        request = (parser_context or {}).get("request")
        if request is not None and _declared_length(request) > limit:
            raise BodyTooLarge
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise BodyTooLarge
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            parse_constant = json.strict_constant if self.strict else None
            data = json.loads(raw.decode(encoding), parse_constant=parse_constant)
        except RecursionError:
            raise BodyTooDeep from None
        except ValueError as exc:  # UnicodeDecodeError is one too
            raise ParseError(f"JSON parse error - {exc}") from None
        if too_deep(data):
            raise BodyTooDeep
        return data


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
