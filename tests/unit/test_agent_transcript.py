"""Transcripts written as the run goes, and the rules that end an inner chat."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from autogen.coding import CodeBlock
from markdown_it import MarkdownIt

from src.agent import Execution
from src.agent._inner import EndRule, has_code, says_terminate, without_terminate
from src.agent._manager import AWAITING, _ManagerRule
from src.agent._transcript import Transcript, fence

FIXED = datetime(2025, 5, 1, 12, 0, 0, tzinfo=UTC)


def test_each_entry_is_on_disk_as_soon_as_it_is_written(tmp_path: Path) -> None:
    path = tmp_path / "run" / "catalogue.md"
    transcript = Transcript(path, "catalogue: ServiceMaintainer transcript", clock=lambda: FIXED)
    transcript.task("Scale to 2 replicas.", source="manager over RabbitMQ, round r1")
    assert "> Scale to 2 replicas." in path.read_text()
    transcript.step(1, "catalogue-planner", "```bash\nkubectl scale deployment catalogue --replicas=2\n```", tokens=42)
    text = path.read_text()
    assert "### Step 1: catalogue-planner (2025-05-01 12:00:00Z, 42 tokens)" in text
    execution = Execution(
        blocks=[CodeBlock(code="kubectl scale deployment catalogue --replicas=2", language="bash")],
        exit_code=0,
        output="deployment.apps/catalogue scaled\n",
        seconds=0.25,
        sent=[{"type": "RESPONSE", "sender": "catalogue", "recipient": "manager", "round_id": "r1", "body": "done"}],
        files=["step-01.sh"],
    )
    transcript.execution(1, execution, shown="```bash\nkubectl scale deployment catalogue --replicas=2\n```")
    transcript.summary({"steps": 1, "failed steps": 0, "tokens": 42, "wall time": "1.0 s"})
    text = path.read_text()
    assert "#### Step 1: code run (exit code 0, 0.2 s)" in text or "#### Step 1: code run (exit code 0, 0.3 s)" in text
    assert "Ran `step-01.sh` (in the workspace): the bash block of step 1 above." in text
    assert "deployment.apps/catalogue scaled" in text
    assert "#### Message sent: RESPONSE, catalogue to manager via the collector" in text
    assert "| steps | failed steps | tokens | wall time |\n|---|---|---|---|\n| 1 | 0 | 42 | 1.0 s |" in text


def _headings(markdown: str) -> list[str]:
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [tokens[i + 1].content for i, token in enumerate(tokens) if token.type == "heading_open"]


def _fenced(markdown: str) -> list[str]:
    return [token.content for token in MarkdownIt("commonmark").parse(markdown) if token.type == "fence"]


def test_no_reply_code_output_or_message_can_break_the_page(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.md"
    transcript = Transcript(path, "catalogue transcript", clock=lambda: FIXED)
    open_fence = "Let me look:\n```bash\nkubectl get pods -n sock-shop"
    four_ticks = "Inline ```` and ``` runs, then an open longer fence:\n````python\nprint('```')"
    transcript.step(1, "catalogue-planner", open_fence)
    code = CodeBlock(code="echo '```'", language="bash")
    transcript.execution(1, Execution(blocks=[code], output="```\n````\n", files=["step-01.sh"]))
    transcript.step(2, "catalogue-planner", four_ticks)
    transcript.message("sent", "RESPONSE", "catalogue to manager via the collector", "Report:\n```\nunclosed")
    transcript.summary({"steps": 2})
    text = path.read_text()
    assert _headings(text) == [
        "catalogue transcript",
        "Step 1: catalogue-planner (2025-05-01 12:00:00Z)",
        "Step 1: code run (exit code 0, 0.0 s)",
        "Step 2: catalogue-planner (2025-05-01 12:00:00Z)",
        "Message sent: RESPONSE, catalogue to manager via the collector (2025-05-01 12:00:00Z)",
        "Summary (2025-05-01 12:00:00Z)",
    ]
    fenced = _fenced(text)
    assert open_fence + "\n" in fenced and four_ticks + "\n" in fenced
    assert "echo '```'\n" in fenced and "```\n````\n" in fenced


def test_output_with_backticks_gets_a_longer_fence() -> None:
    assert fence("a ``` b", "text") == "````text\na ``` b\n````\n"
    assert fence("plain") == "```\nplain\n```\n"


def test_terminate_counts_only_at_the_end_of_a_message() -> None:
    assert says_terminate("TERMINATE")
    assert says_terminate("All done: 2 replicas ready.\n\n**TERMINATE**")
    assert not says_terminate("I will report first, then TERMINATE when it is confirmed. Next step:")
    assert not says_terminate("TERMINATED")
    assert without_terminate("Summary: fine.\nTERMINATE") == "Summary: fine."


def test_code_and_terminate_in_one_message_end_the_chat_after_the_code_ran() -> None:
    rule = EndRule()
    message = "```python\nprint(report_result('catalogue', 'ok'))\n```\nTERMINATE"
    assert has_code(message)
    rule.after_planner(message)
    assert rule.ended is None
    rule.after_execution(None)
    assert rule.ended == "TERMINATE"


def test_the_manager_pauses_when_tasks_went_out_even_if_the_llm_did_not_print_the_flag() -> None:
    rule = _ManagerRule()
    rule.after_planner("```python\nassign_tasks(['catalogue'], ['x'])\n```")
    rule.after_execution(Execution(blocks=[], output="", sent=[{"type": "TASK"}]))
    assert rule.ended == AWAITING
    printed = _ManagerRule()
    printed.after_execution(Execution(blocks=[], output="Tasks assigned to catalogue. <AWAITING FOR RESPONSE>"))
    assert printed.ended == AWAITING
    plain = _ManagerRule()
    plain.after_execution(Execution(blocks=[], output="nothing"))
    assert plain.ended is None
