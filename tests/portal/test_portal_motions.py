"""`/motions/` and `/motions/<id>/`: the board's motions, in English and in Arabic."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from amanah.governance.models import Motion
from conftest import DemoLog


def test_the_list_shows_every_motion_in_one_query(
    client: Client, demo_log: DemoLog, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(1):
        response = client.get("/motions/")

    assert response.status_code == 200
    html = response.content.decode()
    for motion in Motion.objects.all():
        assert f'href="/motions/{motion.id}/"' in html
        assert motion.title_en in html
    assert "Executed" in html


def test_the_list_speaks_arabic(client: Client, demo_log: DemoLog) -> None:
    html = client.get("/ar/motions/").content.decode()

    assert '<html lang="ar" dir="rtl">' in html
    assert "مقترحات المجلس" in html
    assert "Board motions" not in html
    # The fund demo's allocation to the schools project, by its Arabic title only.
    assert "تخصيص 6000000.00 USD للمشروع GZ-EDU-0001" in html
    assert "Allocate 6000000.00 USD" not in html


def test_the_detail_shows_the_signed_text_signatures_and_quorum(
    client: Client, demo_log: DemoLog
) -> None:
    # The fund demo's executed allocation to the schools project.
    motion = Motion.objects.get(
        kind="fund.allocate", title_en="Allocate 6000000.00 USD to project GZ-EDU-0001"
    )
    assert motion.executed_index is not None

    html = client.get(f"/motions/{motion.id}/").content.decode()

    assert motion.title_en in html
    assert "Seats counted: id, pk, ps-1, ps-2, tr." in html
    assert html.count('<code dir="ltr">member-') == 5
    assert "amanah.motion.v1" in html
    assert f'href="/entries/{motion.executed_index}/"' in html
    arabic = client.get(f"/ar/motions/{motion.id}/").content.decode()
    assert motion.title_ar in arabic
    assert "المقاعد المحتسبة" in arabic


@pytest.mark.parametrize("path", ["/motions/not-a-uuid/", f"/motions/{uuid.uuid4()}/"])
def test_an_unknown_motion_is_404(client: Client, demo_log: DemoLog, path: str) -> None:
    assert client.get(path).status_code == 404
