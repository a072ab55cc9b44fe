"""The sandbox in a real browser: a program played by four people, seen through their eyes.

The admin creates a program in its modal, three people join through the join form, the
admin runs and approves a round, the pair's intro and check-in arrive as time is skipped,
the mentee answers the check-in and then the pulse. Each wait has a deadline
(WebDriverWait); a browser that cannot be installed skips the test, except in CI.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from handlers.ids import Action, Block
from sandbox.web import PageServer
from sandbox.world import Sandbox, start
from tests.sandbox import browser
from tests.sandbox.play import ADMIN, ADMINS, MENTEE, MENTOR, OTHER_MENTEE, START

pytest.importorskip("selenium", reason="selenium is in the dev extra")

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

DEADLINE = 30  # seconds any one thing may take to appear


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    world = start(None, at=START)  # its own throwaway SQLite file, as `mentorbot sandbox`
    yield world
    world.stop()
    assert world.fake.violations == [], "what Slack would refuse"


@pytest.fixture
def page(sandbox: Sandbox) -> Iterator[str]:
    server = PageServer(sandbox).start()
    yield server.url
    server.stop()


@pytest.fixture
def driver() -> Iterator[WebDriver]:
    why = browser.missing()
    if why is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {why}")
        pytest.skip(why)
    with browser.chromium() as found:
        assert isinstance(found, WebDriver)
        yield found


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: $SANDBOX_SCREENSHOTS when set, else the test's temp dir."""
    folder = Path(os.environ.get("SANDBOX_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Screen:
    """The page, as one person at a time uses it."""

    def __init__(self, driver: WebDriver, url: str) -> None:
        self.d = driver
        # the page redraws what changed while it polls: an element may go stale under a wait
        self.wait = WebDriverWait(
            driver, DEADLINE, ignored_exceptions=(StaleElementReferenceException,)
        )
        driver.get(url)
        self.wait.until(lambda d: len(Select(self.find("#you")).options) > 10)

    def find(self, css: str) -> WebElement:
        return self.d.find_element(By.CSS_SELECTOR, css)

    def all(self, css: str) -> list[WebElement]:
        return list(self.d.find_elements(By.CSS_SELECTOR, css))

    def idle(self) -> None:
        self.wait.until(lambda d: not self.find("#busy").is_displayed())

    def be(self, user: str) -> None:
        Select(self.find("#you")).select_by_value(user)
        self.wait.until(lambda d: self.d.execute_script("return state.last.user") == user)

    def open(self, label: str) -> None:
        """Open the conversation the sidebar calls `label`."""

        def clicked(d: Any) -> str | bool:
            for button in self.all("#convs .conv"):
                if button.get_attribute("data-label") == label:
                    button.click()
                    return str(button.get_attribute("data-id"))
            return False

        conv_id = self.wait.until(clicked)
        self.wait.until(lambda d: self.d.execute_script("return state.last.channel") == conv_id)

    def labels(self) -> list[str]:
        found = self.d.execute_script(
            "return [...document.querySelectorAll('#convs .conv')].map(b => b.dataset.label)"
        )
        return [str(label) for label in found]

    def command(self, text: str) -> None:
        box = self.find("#command-text")
        box.clear()
        box.send_keys(text, Keys.ENTER)
        self.idle()

    def items(self) -> list[str]:
        return [i.text for i in self.all("#items .item")]

    def wait_item(self, words: str) -> str:
        """The text of the first message that says `words`, once there is one."""

        def found(d: Any) -> str | bool:
            return next((t for t in self.items() if words in t), False)

        text: str = self.wait.until(found)
        return text

    def modal(self) -> WebElement:
        return self.wait.until(ec.visibility_of_element_located((By.ID, "modal")))

    def field(self, block: str) -> WebElement:
        return self.find(f'#modal [data-block="{block}"]')

    def submit(self) -> None:
        self.find("#modal-submit").click()
        self.idle()

    def closed(self) -> None:
        self.wait.until(ec.invisibility_of_element_located((By.ID, "modal")))

    def move(self, how: str) -> None:
        before = self.find("#now").get_attribute("datetime")
        self.find(f'[data-move="{how}"]').click()
        self.wait.until(lambda d: self.find("#now").get_attribute("datetime") != before)
        self.idle()

    def click(self, words: str, action: str) -> None:
        """Click the `action` button of the message that says `words`."""

        def clicked(d: Any) -> bool:
            for item in self.all("#items .item"):
                if words in item.text:
                    found = item.find_elements(By.CSS_SELECTOR, f'button[data-action="{action}"]')
                    if found:
                        found[0].click()
                        return True
            return False

        self.wait.until(clicked)
        self.idle()

    def answer_confirm(self, yes: bool) -> str:
        """Answer the confirm dialog Slack shows before a button acts; the question asked."""
        dialog = self.wait.until(ec.visibility_of_element_located((By.ID, "confirm")))
        question = str(dialog.text)
        self.find("#confirm-yes" if yes else "#confirm-no").click()
        self.wait.until(ec.invisibility_of_element_located((By.ID, "confirm")))
        self.idle()
        return question


def join(screen: Screen, user: str, role: str) -> None:
    screen.be(user)
    screen.open("general")
    screen.command("/mentor join")
    screen.modal()
    Select(screen.field(Block.ROLE)).select_by_value(role)
    skills = Select(screen.field(Block.OFFER_EXPERT if role == "mentor" else Block.GOALS))
    for option in skills.options[:2]:
        skills.select_by_value(str(option.get_attribute("value")))
    Select(screen.field(Block.SENIORITY)).select_by_value("5" if role == "mentor" else "2")
    screen.field(Block.CONSENT).find_element(By.CSS_SELECTOR, "input").click()
    screen.submit()
    screen.wait.until(lambda d: "You're in" in screen.find("#modal-title").text)
    screen.find("#modal-close").click()
    screen.closed()


def test_a_program_played_in_the_browser(driver: WebDriver, page: str, shots: Path) -> None:
    screen = Screen(driver, page)

    # the admin creates the program in its settings modal; a bad zone is shown at its field
    screen.be(ADMIN)
    screen.open("mentoring-admins")
    screen.command("/mentor admin program create")
    screen.modal()
    screen.field(Block.P_NAME).send_keys("Engineering mentoring")
    zone = screen.field(Block.P_TIMEZONE)
    zone.clear()
    zone.send_keys("Mars/Olympus")
    Select(screen.field(Block.P_ADMIN_CHANNEL)).select_by_value(ADMINS)
    screen.submit()
    error = screen.wait.until(
        lambda d: screen.all(f'[data-block-id="{Block.P_TIMEZONE}"] .field-error')
    )
    assert error[0].text
    zone = screen.field(Block.P_TIMEZONE)
    assert zone.get_attribute("value") == "Mars/Olympus"  # what was typed stays
    zone.clear()
    zone.send_keys("Europe/London")
    screen.submit()
    screen.closed()

    # three people join through the join form
    join(screen, MENTOR, "mentor")
    join(screen, MENTEE, "mentee")
    join(screen, OTHER_MENTEE, "mentee")

    # the admin runs the round; its preview waits for approval in the admins' channel
    screen.be(ADMIN)
    screen.open("mentoring-admins")
    screen.command("/mentor admin round")
    assert "2 matches" in screen.wait_item("Round preview")
    driver.save_screenshot(str(shots / "round-preview.png"))
    # Approve asks first: Cancel sends nothing, the preview keeps its buttons
    screen.click("Round preview", Action.ROUND_APPROVE)
    assert "2" in screen.answer_confirm(yes=False)
    assert not any("approved the" in t for t in screen.items())
    screen.click("Round preview", Action.ROUND_APPROVE)
    screen.answer_confirm(yes=True)
    screen.wait_item("approved the")
    screen.wait.until(
        lambda d: not screen.all(f'#items button[data-action="{Action.ROUND_APPROVE}"]')
    )

    # a day on, each pair has its intro in its own group DM, and only its members see it
    screen.move("day")
    screen.be(MENTEE)
    screen.open("Maya, mentorbot")
    assert "Maya Okafor" in screen.wait_item("You've been matched in Engineering mentoring")
    driver.save_screenshot(str(shots / "intro.png"))
    assert "Sam, mentorbot" not in screen.labels()
    screen.be(MENTOR)
    screen.wait.until(lambda d: {"Nina, mentorbot", "Sam, mentorbot"} <= set(screen.labels()))

    # two weeks on, the check-in; the mentee answers it and its buttons give way
    screen.move("week")
    screen.move("week")
    screen.be(MENTEE)
    screen.open("Maya, mentorbot")
    screen.click("Quick check-in", Action.CHECKIN_MET)
    screen.wait.until(
        lambda d: not screen.all(f'#items button[data-action="{Action.CHECKIN_MET}"]')
    )
    screen.be(MENTOR)
    screen.open("Nina, mentorbot")
    screen.wait.until(lambda d: any("answered" in t for t in screen.items()))

    # the day after the first meeting, the pulse: the mentee answers it in its modal
    screen.move("day")
    screen.be(MENTEE)
    screen.open("mentorbot")
    screen.click("How is your mentoring going", Action.PULSE_OPEN)
    screen.modal()
    Select(screen.field(Block.PULSE_VALUE)).select_by_index(4)
    Select(screen.field(Block.PULSE_PROGRESS)).select_by_index(4)
    screen.submit()
    screen.closed()

    # Sam never saw Nina's pair; the admin's channel holds the decision; nothing was refused
    screen.be(OTHER_MENTEE)
    assert "Maya, mentorbot" in screen.labels()
    assert "Nina, mentorbot" not in screen.labels()
    assert not screen.find("#refused").is_displayed()
