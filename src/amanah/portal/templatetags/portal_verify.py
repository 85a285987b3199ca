"""Checking a record against the transparency log in the reader's own browser (verify.js).

`{% log_key_meta %}` (in the page head) publishes the log's public key, the one verify.js
checks the checkpoint's signature with. `{% verify_control index %}` puts a hidden
"verify" button next to a log-backed fact; the script reveals it. `{% verify_script %}`
(at the end of the body) loads the script and its translated strings, only on pages that
rendered a control: the others stay as light as they were.
"""

from __future__ import annotations

import logging
from typing import Any

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from amanah.ledger.wiring import log_verifier

register = template.Library()
_logger = logging.getLogger(__name__)

# Set on the request by `verify_control`, read by `verify_script` further down the page.
_USED = "_amanah_verify_controls"


@register.simple_tag
def log_key_meta() -> SafeString:
    """`<meta name="amanah-log-key">` with the log's verifier key; nothing before a key exists."""
    try:
        verifier = log_verifier()
    except RuntimeError:  # a key for another origin: the log pages say so; this one stays up
        _logger.exception("the log's public key cannot be published")
        return SafeString("")
    if verifier is None:
        return SafeString("")
    return format_html('<meta name="amanah-log-key" content="{}">', verifier.key_text)


@register.simple_tag(takes_context=True)
def verify_control(context: template.Context, index: int, leaf_hash: str = "") -> SafeString:
    """A hidden button to check entry `index` in the browser, and where its answer goes.

    `leaf_hash` (base64), where the page shows one, is compared with the recomputed one.
    """
    request = context.get("request")
    if request is not None:
        setattr(request, _USED, True)
    leaf = format_html(' data-leaf="{}"', leaf_hash) if leaf_hash else ""
    return format_html(
        '<span class="verify-control"><button type="button" class="verify btn btn-link btn-sm"'
        ' data-entry="{}"{} aria-label="{}" hidden>{}</button><span class="verify-result"'
        ' role="status" aria-live="polite"></span></span>',
        index,
        leaf,
        _("Verify entry %(index)s in your browser") % {"index": index},
        _("Verify"),
    )


def _strings() -> dict[str, Any]:
    return {
        "log": reverse("ledger:checkpoint").removesuffix("checkpoint"),
        "checking": _("Checking this record against the public log…"),
        # Translators: {index} is a log entry number, {size} the number of entries in the log.
        "verified": _(
            "Verified: this record is entry {index} of the public log. Your browser checked"
            " that the log’s key signed a state of the log with {size} entries that includes"
            " this entry, unchanged."
        ),
        "pending": _(
            "Not verifiable yet: entry {index} is not in the log’s latest signed state."
            " Try again in a minute."
        ),
        "unavailable": _(
            "Could not check this record now: the log did not answer as expected. Try again later."
        ),
        "unsupported": _(
            "Your browser cannot check the log’s signature, so this record was not verified"
            " here. Download the entry’s receipt and check it with Amanah’s verifier instead."
        ),
        "failed": {
            "key": _(
                "NOT verified: this page does not publish the log’s key correctly — this page"
                " or the server may have been altered."
            ),
            "signature": _(
                "NOT verified: the log’s checkpoint is not signed by the log’s key — this page"
                " or the server may have been altered."
            ),
            # Translators: {tile} is a file of the log, such as tile/0/001.p/44.
            "tile": _(
                "NOT verified: the log’s file {tile} does not match the signed checkpoint —"
                " this page or the server may have been altered."
            ),
            # Translators: {tile} is a list of files of the log, one of which was altered.
            "tiles": _(
                "NOT verified: one of the log’s files {tile} does not match the signed"
                " checkpoint — this page or the server may have been altered."
            ),
            "entry": _(
                "NOT verified: the record’s entry {index} does not match what the log signed —"
                " this page or the server may have been altered."
            ),
            "page": _(
                "NOT verified: this page shows a different fingerprint for entry {index} than"
                " the log — this page or the server may have been altered."
            ),
            "proof": _(
                "NOT verified: entry {index} cannot be traced to the signed checkpoint — this"
                " page or the server may have been altered."
            ),
        },
        "details": _("Technical details"),
        "labels": {
            "entry": _("Entry"),
            "kind": _("Kind"),
            "data": _("Public data"),
            "size": _("Log size in the checkpoint"),
            "root": _("Root hash in the checkpoint"),
            "leaf": _("Leaf hash recomputed from the entry"),
            "key": _("Log key"),
            "files": _("Files read"),
            "proof": _("Inclusion proof (leaf to root)"),
            "failed": _("Failed check"),
        },
    }


@register.simple_tag(takes_context=True)
def verify_script(context: template.Context) -> SafeString:
    """verify.js and its strings, on a page that rendered at least one `verify_control`."""
    request = context.get("request")
    if request is None or not getattr(request, _USED, False):
        return SafeString("")
    return format_html(
        '{}<script src="{}" defer></script>',
        json_script(_strings(), "amanah-verify-strings"),
        static("amanah/verify.js"),
    )
