"""The exception tree drawn in common/errors.py is the real one."""

from __future__ import annotations

import re

import common.errors as errors
from mailer.transport import DeliveryError


def test_the_drawn_tree_is_the_class_tree() -> None:
    lines = [m for m in re.finditer(r"^[ │├└─]*(\w+Error)\b", errors.__doc__ or "", flags=re.MULTILINE)]
    depth = {m.group(1): m.start(1) - m.start(0) for m in lines}  # the column the name starts in
    classes = {name: getattr(errors, name, DeliveryError) for name in depth}
    assert set(depth) == set(errors.__all__) - {"Problem"} | {"DeliveryError"}
    parents: list[str] = []
    for name in depth:
        while parents and depth[parents[-1]] >= depth[name]:
            parents.pop()
        assert classes[name].__bases__ == ((classes[parents[-1]],) if parents else (Exception,)), name
        parents.append(name)
    assert depth["DeliveryError"] > depth["MailError"] > depth["ArbookError"]


def test_a_message_not_delivered_is_a_mail_error_the_send_loop_keeps_to_itself() -> None:
    assert issubclass(DeliveryError, errors.MailError) and issubclass(DeliveryError, errors.ArbookError)
    assert DeliveryError("refused", fatal=True).fatal
