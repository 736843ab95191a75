"""The signed-in pages, walked through as people would, in one story on one registry: a subject
signs in, reads the file and objects to a record; the operator sees the objection queue; the
source sees the objection and upholds it; the operator sees the queue change; a relying party
checks a measure; the operator publishes a catalogue. axe-core checks every page on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl
import pytest
import ryaml
from playwright.sync_api import Browser, Page, expect

from socialcredit.registry import Registry
from socialcredit.store.store import Store
from tests.conftest import fresh_store_url
from tests.e2e.conftest import NARROW_WIDTH_PX, assert_accessible, new_page, screenshot
from tests.e2e.world import (
    TODAY_DATE,
    build_app,
    catalogue_with_chinese_titles,
    fixed_clock,
    populate,
    serving,
)

SUBJECT = "312683197508207580"  # the conformance example's subject, with court judgments
COURT_RECORD = "cou-0000003"
COURT_REFERENCE = "DOC-35788408"
PARTY = "civil-aviation"


@dataclass(frozen=True)
class Story:
    address: str
    keys: dict[str, str]
    blacklisted: str


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def story(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Story]:
    """The story's world on each store: the pages must behave the same on both."""
    directory = tmp_path_factory.mktemp("story")
    with fresh_store_url(request.param, directory) as store_url:
        yield from _story(store_url, directory)


def _story(store_url: str, directory) -> Iterator[Story]:
    registry = Registry(Store.open(store_url), fixed_clock)
    populate(registry, directory)
    keys = {
        "subject": registry.keys.create("subject", SUBJECT).secret,
        "source": registry.keys.create("source", "court").secret,
        "party": registry.keys.create("party", PARTY).secret,
        "operator": registry.keys.create("operator", None).secret,
    }
    scores = registry.score_all(TODAY_DATE)
    blacklisted = scores.filter(pl.col("lists").str.contains("blacklist"))["subject_id"][0]
    registry.store.close()
    with serving(build_app(store_url)) as address:
        yield Story(address, keys, blacklisted)


def sign_in(page: Page, story: Story, role: str) -> None:
    page.goto(story.address + "/sign-in")
    page.get_by_label("Enter your key").fill(story.keys[role])
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_refuses_a_wrong_key_with_an_error_summary(page: Page, story: Story) -> None:
    page.goto(story.address + "/sign-in")
    assert_accessible(page)
    screenshot(page, "sign-in")
    page.get_by_label("Enter your key").fill("scs_sub_not-a-key")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_role("alert")).to_contain_text("This key is not valid")
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.get_by_label("Enter your key")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)


def test_a_page_that_needs_a_key_sends_you_to_sign_in_and_back(page: Page, story: Story) -> None:
    page.goto(story.address + "/my-file")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/my-file$"))
    page.get_by_label("Enter your key").fill(story.keys["subject"])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/my-file$"))
    session = next(cookie for cookie in page.context.cookies() if cookie["name"] == "scs_session")
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert story.keys["subject"] not in page.content()
    page.goto(story.address + "/operator")
    expect(page.get_by_role("heading", level=1)).to_have_text("This page is not for your key")


def test_the_subject_reads_the_file_and_objects_to_a_record(page: Page, story: Story) -> None:
    sign_in(page, story, "subject")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your credit file")
    record = page.locator("section.record", has_text=COURT_REFERENCE)
    expect(record).to_contain_text("Intermediate people's court")
    expect(record).to_contain_text("Civil Procedure Law")
    expect(record).to_contain_text("Stops counting after")
    expect(page.locator("figure.chart svg[role=img]")).to_be_visible()
    expect(page.locator("link[rel=alternate]")).to_have_attribute("href", f"/v1/subjects/{SUBJECT}")
    assert_accessible(page)
    screenshot(page, "subject-file")
    # The JSON twin opens in the same signed-in session (the cookie is an authenticator).
    twin = page.context.request.get(story.address + f"/v1/subjects/{SUBJECT}")
    assert twin.ok and twin.json()["subject_id"] == SUBJECT

    record.get_by_role("link", name=re.compile("Object to this record")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Why is this record wrong?")
    page.get_by_role("button", name="Continue").click()  # nothing said: an error summary
    expect(page.get_by_role("alert")).to_contain_text("Say why the record is wrong")
    assert_accessible(page)
    page.get_by_label("Why is this record wrong?").fill(
        "The judgment was performed in full in 2023."
    )
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your objection before sending it"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Send the objection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Objection sent")
    expect(page.locator(".summary-list")).to_contain_text("waiting for an answer")
    expect(page.locator(".summary-list")).to_contain_text("22 Dec 2026")  # filed 22 Nov + 30 days
    assert_accessible(page)
    screenshot(page, "objection-sent")


def test_the_subject_leaves_a_statement_and_sees_who_looked(page: Page, story: Story) -> None:
    sign_in(page, story, "subject")
    page.get_by_role("link", name="Write a statement").click()
    page.get_by_label("What would you like readers of your file to know?").fill(
        "I paid the judgment debt in full; the court has the receipt."
    )
    page.get_by_role("button", name="Save the statement").click()
    expect(page.get_by_role("status")).to_contain_text("Your statement is saved")
    expect(page.locator(".statement")).to_contain_text("I paid the judgment debt")
    looked = page.get_by_role("region", name="Who looked at your file")
    expect(looked).to_contain_text("own file")
    assert_accessible(page)


def test_the_operator_sees_the_objection_in_the_queue(page: Page, story: Story) -> None:
    sign_in(page, story, "operator")
    expect(page.get_by_role("heading", level=1)).to_have_text("Operator overview")
    queue = page.get_by_role("region", name="Objections waiting for an answer")
    expect(queue).to_contain_text(COURT_RECORD)
    expect(page.locator("figure.chart svg[role=img]").first).to_be_visible()
    expect(page.get_by_role("region", name="Sources by volume")).to_contain_text(
        "Intermediate people's court"
    )
    assert_accessible(page)
    screenshot(page, "operator")


def test_the_source_sees_the_objection_and_upholds_it(page: Page, story: Story) -> None:
    sign_in(page, story, "source")
    expect(page.get_by_role("heading", level=1)).to_have_text("Source console")
    waiting = page.get_by_role("region", name="Objections waiting for your answer")
    expect(waiting).to_contain_text(COURT_RECORD)
    expect(waiting).to_contain_text("30 days")
    assert_accessible(page)
    screenshot(page, "source")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download CSV")).first.click()
    assert download.value.suggested_filename.endswith(".rejects.csv")
    waiting.get_by_role("link", name=re.compile("Objection")).first.click()
    expect(page.locator(".summary-list")).to_contain_text("performed in full")
    assert_accessible(page)
    page.get_by_label("Note to the subject (optional)").fill(
        "Enforcement file 2023-17 shows no payment."
    )
    page.get_by_role("button", name="Uphold the record").click()
    expect(page.get_by_role("status")).to_contain_text("the record stands")
    expect(page.get_by_text("No objection is waiting for an answer.")).to_be_visible()


def test_the_operator_sees_the_queue_change_and_the_subject_the_answer(
    browser: Browser, story: Story
) -> None:
    page = new_page(browser)
    sign_in(page, story, "operator")
    expect(page.get_by_role("region", name="Objections waiting for an answer")).to_have_count(0)
    expect(page.get_by_text("No objection is waiting for an answer.")).to_be_visible()
    page.context.close()
    page = new_page(browser, "zh", width=NARROW_WIDTH_PX)
    sign_in_chinese(page, story)
    expect(page.get_by_role("heading", level=1)).to_have_text("我的信用档案")
    expect(page.get_by_role("region", name="我的异议")).to_contain_text("来源单位维持原记录")
    assert_accessible(page)
    screenshot(page, "subject-file-zh-phone")
    page.context.close()


def sign_in_chinese(page: Page, story: Story) -> None:
    page.goto(story.address + "/sign-in")
    page.get_by_label("输入您的密钥").fill(story.keys["subject"])
    page.get_by_role("button", name="登录").click()


def test_a_party_checks_a_measure(page: Page, story: Story) -> None:
    sign_in(page, story, "party")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check a measure")
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the identity number")
    assert_accessible(page)
    page.get_by_label("Identity number or unified social credit code").fill(story.blacklisted)
    page.get_by_label("Measure").select_option("no_air_travel")
    page.get_by_label("Why you are checking").fill("ticket sale")
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The measure applies")
    expect(page.locator(".summary-list")).to_contain_text("Seriously untrustworthy")
    expect(page.locator("main")).not_to_contain_text("Score")
    assert_accessible(page)
    screenshot(page, "party-check")


def next_version(court_points: int) -> str:
    """Version 3 of the example, in force from 2027, with the court's judgment default worth
    `court_points` instead of -100."""
    document = ryaml.loads(catalogue_with_chinese_titles("catalog-v2.yaml"))
    document["version"], document["effective_from"] = 3, "2027-01-01"
    for item in document["items"]:
        if item["code"] == "court.judgment_default":
            item["points"] = court_points
    return ryaml.dumps(document)


def test_the_operator_sees_what_a_version_would_change_in_chinese(
    chinese_page: Page, story: Story
) -> None:
    page = chinese_page
    page.goto(story.address + "/sign-in")
    page.get_by_label("输入您的密钥").fill(story.keys["operator"])
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="发布目录").click()
    page.get_by_label("或粘贴 YAML 内容").fill(next_version(-250))
    page.get_by_role("button", name="校验并预览").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("发布前核对第3版")
    simulation = page.locator("#simulation")
    expect(simulation.get_by_role("heading", level=2)).to_have_text("这一版本将改变什么")
    expect(simulation.get_by_role("img")).to_have_attribute(
        "aria-label", "从一个等级转入另一个等级的主体数量"
    )
    expect(simulation).to_contain_text("拒不履行生效判决")  # the item, by its Chinese title
    expect(page.get_by_role("button", name="发布第3版")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "publish-preview-zh")


def test_the_operator_publishes_a_catalogue_with_its_report(page: Page, story: Story) -> None:
    sign_in(page, story, "operator")
    page.get_by_role("link", name="Publish a catalogue").click()
    page.get_by_label("Or paste the YAML").fill("catalog: example-city\nversion: 1\n")
    page.get_by_role("button", name="Check and preview").click()
    expect(page.get_by_role("alert")).to_contain_text("The catalogue was not published")
    expect(page.locator("#problems")).to_contain_text("base_score: missing field")
    expect(page.get_by_role("button", name="Publish version 1")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "publish-report")
    page.get_by_label("Catalogue file (YAML)").set_input_files(
        files=[
            {
                "name": "catalog-v3.yaml",
                "mimeType": "text/yaml",
                "buffer": next_version(-250).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Check and preview").click()
    # Checked, not yet published: what it would change, with a chart of tier changes
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check version 3 before publishing it"
    )
    expect(page.get_by_role("region", name="Published versions")).not_to_contain_text("2027")
    simulation = page.locator("#simulation")
    expect(simulation.locator("#simulation-summary")).to_contain_text("files would change")
    chart = simulation.get_by_role(
        "img", name="How many subjects would move from one tier to another"
    )
    expect(chart).to_be_visible()
    expect(simulation.get_by_role("region", name="Files that would change tier")).to_contain_text(
        "→ D"
    )
    items = simulation.get_by_role("region", name="Kinds of record whose points change most")
    expect(items).to_contain_text("court.judgment_default")
    assert_accessible(page)
    screenshot(page, "publish-preview")
    page.get_by_role("button", name="Publish version 3").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Version 3 published")
    expect(page.get_by_role("region", name="Published versions")).to_contain_text("1 Jan 2027")
    assert_accessible(page)
