"""The world the browser tests walk through: the conformance example city, with Chinese
titles added to its catalogue (as a publisher would write them), served on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import ryaml
import uvicorn

from socialcredit.registry import Registry
from socialcredit.service.app import create_app
from socialcredit.service.settings import ServiceSettings
from socialcredit.store.store import Store
from tests.conftest import EXAMPLE_DIRECTORY, TODAY, fixed_clock

TODAY_DATE = TODAY.astimezone().date()

CHINESE_TITLES = {
    "traffic.red_light": "闯红灯",
    "traffic.drunk_driving": "醉酒驾驶",
    "court.judgment_default": "拒不履行生效判决",
    "charity.volunteer_hour": "志愿服务一小时",
    "charity.blood_donation": "无偿献血",
    "tax.arrears_major": "重大欠税",
    "tax.a_rating": "纳税信用A级",
    "market.product_safety_fine": "因产品不安全被罚款",
    "market.late_annual_report": "逾期报送年度报告",
    "traffic.yield_pedestrian_fail": "未礼让行人",
}
CHINESE_LIST_TITLES = {
    "blacklist": "严重失信主体名单",
    "low_score": "低分名单",
    "redlist": "守信激励名单",
    "tax_arrears": "重大税收违法失信主体名单",
}
RECORD_FILES = {
    "charity-fed": "records-charity-fed.csv",
    "court": "records-court.jsonl",
    "market-reg": "records-market-reg.csv",
    "tax-office": "records-tax-office.jsonl",
    "traffic-police": "records-traffic-police.csv",
}
SERVER_START_TIMEOUT_S = 20


def catalogue_with_chinese_titles(name: str) -> str:
    document = ryaml.loads((EXAMPLE_DIRECTORY / name).read_text())
    for item in document["items"]:
        item["titles"] = {"zh": CHINESE_TITLES[item["code"]]}
    for list_name, definition in document["lists"].items():
        definition["titles"] = {"zh": CHINESE_LIST_TITLES[list_name]}
    return ryaml.dumps(document)


def populate(registry: Registry, directory: Path) -> None:
    for name in ("catalog-v1.yaml", "catalog-v2.yaml"):
        result = registry.publish_catalogue(catalogue_with_chinese_titles(name))
        assert result.version is not None, result.report.problems
    for source, file_name in RECORD_FILES.items():
        registry.ingest(EXAMPLE_DIRECTORY / file_name, source, directory / f"{source}.rejects.csv")


def build_app(store_url: str):
    """The service as `scs serve` runs it (API and web pages), with the tests' fixed clock. The
    whole suite signs in from 127.0.0.1: the per-address sign-in limit is lifted here (it is
    tested in tests/service/test_limits.py)."""
    settings = ServiceSettings(sign_in_attempt_burst_per_address=100_000)
    return create_app(lambda: Registry(Store.open(store_url), fixed_clock), settings)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(app) -> Iterator[str]:
    """Run `app` under uvicorn in a thread on 127.0.0.1; yield its address."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


__all__ = ["TODAY_DATE", "build_app", "fixed_clock", "populate", "serving"]
