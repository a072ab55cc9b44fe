"""Block Kit as Slack checks it: slack_sdk's models plus the documented limits they skip.

Each check returns Slack's own error lines ("<problem> [json-pointer:/blocks/0/text]"), so a
refusal reads like the one Slack would send. slack_sdk parses every block and validates its
fields on `to_dict()`; what it does not check is written out here, each with its source:

- https://docs.slack.dev/reference/block-kit/blocks ("blocks": up to 50 in a message, 100
  in a modal or Home tab; block_id unique within a message or view, at most 255 chars)
- https://docs.slack.dev/reference/block-kit/block-elements ("action_id": unique among the
  actions in the containing block; button text at most 75 chars)
- https://docs.slack.dev/reference/block-kit/composition-objects/option-object (text at
  most 75 chars, value at most 150) and .../block-elements/select-menu-element (at most 100
  options or 100 option groups; initial options must be among the options)
- https://docs.slack.dev/reference/block-kit/blocks/section-block (text at most 3000) and
  .../header-block (text at most 150)
- https://docs.slack.dev/reference/views/modal-views (title, submit, close at most 24
  chars; private_metadata at most 3000; a modal with input blocks needs submit)
- https://docs.slack.dev/reference/methods/chat.postMessage ("Slack will truncate messages
  containing more than 40,000 characters"; chat.update and chat.postEphemeral answer
  msg_too_long) and https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload
  (response_action "errors" names input blocks by block_id)
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000
SECTION_TEXT = 3000
HEADER_TEXT = 150
BUTTON_TEXT = 75
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTIONS = 100
VIEW_TEXT = 24
PRIVATE_METADATA = 3000
ACK_ACTIONS = {"update", "push", "clear", "errors"}

# slack_sdk logs and skips what it cannot parse; the fake reports it instead.
logging.getLogger("slack_sdk.models").setLevel(logging.ERROR)


def _error(problem: str, pointer: str) -> str:
    return f"{problem} [json-pointer:{pointer}]"


def _text(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text") or "")
    return str(obj or "")


def _dropped(original: Any, rendered: Any, pointer: str) -> Iterator[str]:
    """Fields slack_sdk's model did not keep: Slack refuses properties it does not know."""
    if isinstance(original, dict) and isinstance(rendered, dict):
        for key, value in original.items():
            if key not in rendered:
                yield _error(f"unknown property {key!r}", f"{pointer}/{key}")
            else:
                yield from _dropped(value, rendered[key], f"{pointer}/{key}")
    elif isinstance(original, list) and isinstance(rendered, list):
        for i, (a, b) in enumerate(zip(original, rendered, strict=False)):
            yield from _dropped(a, b, f"{pointer}/{i}")


def _elements(block: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The interactive elements of a block, with their pointers relative to the block."""
    found: list[tuple[str, dict[str, Any]]] = []
    for i, element in enumerate(block.get("elements") or []):
        if isinstance(element, dict) and block.get("type") == "actions":
            found.append((f"/elements/{i}", element))
    for key in ("accessory", "element"):
        if isinstance(block.get(key), dict):
            found.append((f"/{key}", block[key]))
    return found


def _option_key(option: Any) -> tuple[str, str]:
    if not isinstance(option, dict):
        return ("", "")
    return (str(option.get("value")), _text(option.get("text")))


def _element_errors(element: dict[str, Any], pointer: str) -> Iterator[str]:
    if element.get("type") == "button" and len(_text(element.get("text"))) > BUTTON_TEXT:
        yield _error(f"must be less than {BUTTON_TEXT + 1} characters", f"{pointer}/text/text")
    options = element.get("options")
    groups = element.get("option_groups")
    for name, items in (("options", options), ("option_groups", groups)):
        if isinstance(items, list) and len(items) > OPTIONS:
            yield _error(f"must provide no more than {OPTIONS} items", f"{pointer}/{name}")
    every: list[tuple[str, Any]] = []
    if isinstance(options, list):
        every += [(f"{pointer}/options/{i}", o) for i, o in enumerate(options)]
    if isinstance(groups, list):
        for g, group in enumerate(groups):
            inner = group.get("options") if isinstance(group, dict) else None
            if isinstance(inner, list) and len(inner) > OPTIONS:
                yield _error(
                    f"must provide no more than {OPTIONS} items",
                    f"{pointer}/option_groups/{g}/options",
                )
            every += [
                (f"{pointer}/option_groups/{g}/options/{i}", o)
                for i, o in enumerate(inner if isinstance(inner, list) else [])
            ]
    for where, option in every:
        if not isinstance(option, dict):
            continue
        if len(_text(option.get("text"))) > OPTION_TEXT:
            yield _error(f"must be less than {OPTION_TEXT + 1} characters", f"{where}/text/text")
        if len(str(option.get("value") or "")) > OPTION_VALUE:
            yield _error(f"must be less than {OPTION_VALUE + 1} characters", f"{where}/value")
    if every:
        allowed = {_option_key(o) for _, o in every}
        initial = element.get("initial_options") or []
        if element.get("initial_option") is not None:
            initial = [element["initial_option"]]
        for i, option in enumerate(initial if isinstance(initial, list) else []):
            if _option_key(option) not in allowed:
                name = "initial_option" if "initial_option" in element else f"initial_options/{i}"
                yield _error("must match one of the provided options", f"{pointer}/{name}")


def blocks_errors(blocks: Any, *, limit: int, pointer: str = "/blocks") -> list[str]:
    """Every refusal Slack would give for this blocks array on a surface of `limit` blocks."""
    if not isinstance(blocks, list):
        return [_error("must be an array", pointer)]
    errors: list[str] = []
    if len(blocks) > limit:
        errors.append(_error(f"must provide no more than {limit} items", pointer))
    block_ids: set[str] = set()
    for b, block in enumerate(blocks):
        where = f"{pointer}/{b}"
        if not isinstance(block, dict):
            errors.append(_error("must be an object", where))
            continue
        before = len(errors)
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in block_ids:
                errors.append(_error("block_id must be unique in the surface", f"{where}/block_id"))
            block_ids.add(str(block_id))
        kind = block.get("type")
        if kind == "section" and len(_text(block.get("text"))) > SECTION_TEXT:
            errors.append(
                _error(f"must be less than {SECTION_TEXT + 1} characters", f"{where}/text/text")
            )
        if kind == "header" and len(_text(block.get("text"))) > HEADER_TEXT:
            errors.append(
                _error(f"must be less than {HEADER_TEXT + 1} characters", f"{where}/text/text")
            )
        action_ids: set[str] = set()
        for relative, element in _elements(block):
            action_id = element.get("action_id")
            if action_id is not None:
                if action_id in action_ids:
                    errors.append(
                        _error(
                            "action_id must be unique in the block",
                            f"{where}{relative}/action_id",
                        )
                    )
                action_ids.add(str(action_id))
            errors += _element_errors(element, f"{where}{relative}")
        if len(errors) == before:  # slack_sdk's models for what the explicit rules leave
            errors += _model_errors(block, where)
    return errors


def _model_errors(block: dict[str, Any], where: str) -> list[str]:
    try:
        parsed = Block.parse(block)
        if parsed is None:
            return [_error(f"unknown block type {block.get('type')!r}", f"{where}/type")]
        return list(_dropped(block, parsed.to_dict(), where))
    except (SlackObjectFormationError, TypeError, ValueError, KeyError) as err:
        return [_error(str(err), where)]


def message_errors(args: dict[str, Any]) -> tuple[str | None, list[str]]:
    """(Slack's error code, its lines) for a message's text and blocks; (None, []) if fine."""
    if len(str(args.get("text") or "")) > MESSAGE_TEXT:
        return "msg_too_long", [_error(f"must be at most {MESSAGE_TEXT} characters", "/text")]
    if args.get("blocks") is None:
        return None, []
    errors = blocks_errors(args["blocks"], limit=MESSAGE_BLOCKS)
    return ("invalid_blocks", errors) if errors else (None, [])


def view_errors(view: Any, pointer: str = "/view") -> list[str]:
    """Every refusal Slack would give for a modal or Home tab view."""
    if not isinstance(view, dict):
        return [_error("must be an object", pointer)]
    errors: list[str] = []
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [_error("must be one of modal, home", f"{pointer}/type")]
    if kind == "modal":
        if not _text(view.get("title")):
            errors.append(_error("a modal needs a title", f"{pointer}/title"))
        for name in ("title", "submit", "close"):
            if len(_text(view.get(name))) > VIEW_TEXT:
                errors.append(
                    _error(f"must be less than {VIEW_TEXT + 1} characters", f"{pointer}/{name}")
                )
        blocks = view.get("blocks") or []
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
        if has_input and not view.get("submit"):
            errors.append(_error("a modal with input blocks needs submit", f"{pointer}/submit"))
    if len(str(view.get("private_metadata") or "")) > PRIVATE_METADATA:
        errors.append(
            _error(f"must be at most {PRIVATE_METADATA} characters", f"{pointer}/private_metadata")
        )
    errors += blocks_errors(view.get("blocks"), limit=VIEW_BLOCKS, pointer=f"{pointer}/blocks")
    if errors:
        return errors
    try:  # slack_sdk's model for what the explicit rules leave
        return list(_dropped(view, View(**view).to_dict(), pointer))
    except (SlackObjectFormationError, TypeError, ValueError, KeyError) as err:
        return [_error(str(err), pointer)]


def input_block_ids(view: dict[str, Any] | None) -> set[str] | None:
    """The block_ids of a view's input blocks; None when the view's blocks are unknown."""
    if not view or not isinstance(view.get("blocks"), list):
        return None
    return {
        str(b.get("block_id"))
        for b in view["blocks"]
        if isinstance(b, dict) and b.get("type") == "input"
    }


def submission_ack_errors(ack: dict[str, Any], submitted: dict[str, Any] | None) -> list[str]:
    """A view_submission's ack as Slack reads it: a response_action and its view or errors.

    `submitted` is the view as Slack had it; when its blocks are unknown (a forged
    submission), the errors' block ids cannot be judged.
    """
    if not ack:
        return []
    action = ack.get("response_action")
    if action not in ACK_ACTIONS:
        return [_error(f"unknown response_action {action!r}", "/response_action")]
    if action in ("update", "push"):
        return view_errors(ack.get("view"))
    if action == "errors":
        named = ack.get("errors")
        if not isinstance(named, dict) or not named:
            return [_error("errors must name at least one block", "/errors")]
        inputs = input_block_ids(submitted)
        return [
            _error("errors must name an input block of the view", f"/errors/{key}")
            for key in named
            if inputs is not None and key not in inputs
        ]
    return []


def message_ack_errors(ack: dict[str, Any]) -> tuple[str | None, list[str]]:
    """A message answer (slash-command or action ack, or a response_url body)."""
    code, errors = message_errors(ack)
    if code is None and ack.get("response_type") not in (None, "ephemeral", "in_channel"):
        return "invalid_arguments", [_error("must be ephemeral or in_channel", "/response_type")]
    return code, errors
