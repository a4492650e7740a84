"""The in-process AWS CLI keeps working after something rebuilds os.environ.

awscli publishes its data directory only through AWS_DATA_PATH, set at import; a
test (or the CLI itself) that restores an older copy of the environment used to
leave every later driver failing with "Unable to load data for: cli".
"""

from __future__ import annotations

import pytest

from labtui.account.awscli_bridge import awscli_driver


def test_driver_finds_its_data_without_aws_data_path(monkeypatch: pytest.MonkeyPatch) -> None:
    import awscli  # noqa: F401 - sets AWS_DATA_PATH, which we then lose

    monkeypatch.delenv("AWS_DATA_PATH", raising=False)
    driver = awscli_driver()
    assert "lambda" in driver.session.get_available_services()
    assert driver.session.get_data("cli")["options"]  # the data that used to go missing
