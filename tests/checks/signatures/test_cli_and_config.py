"""`atlas-health signatures list/export/test` and the consultant's signature files named in the config."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent.cli import main
from agent.cli_signatures import _grep_problems, _hyperscan_problems
from agent.config.loader import ConfigError, load_config
from agent.signatures import load_signatures
from checks.registry import load_registry
from checks.signatures import Signature, export_grep, load_builtin
from tests.checks.signatures.engines import GREP, hyperscan
from tests.checks.signatures.test_loader import ENTRY, doc, variant

BUILTIN = load_builtin()
CONFIG = """\
settings:
  logs:
    signature_files: [{files}]
customers:
  - name: acme
    instances:
      - {{name: acme-jira, product: jira, url: 'https://jira.acme.example', deployment: server,
         auth: {{type: none}}}}
"""


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["signatures", *args])
    out, err = capsys.readouterr()
    return code, out, err


def write_config(folder: Path, *files: str) -> Path:
    path = folder / "atlas-health.yaml"
    path.write_text(CONFIG.format(files=", ".join(files)), encoding="utf-8")
    return path


def test_list_json(capsys):
    code, out, _ = run(capsys, "list", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and [r["id"] for r in rows] == [s.id for s in BUILTIN]
    heap = next(r for r in rows if r["id"] == "jvm.heap.oom")
    assert heap == {
        "id": "jvm.heap.oom",
        "severity": "critical",
        "cause": "memory",
        "products": [],
        "files": ["application", "catalina"],
        "title": "Java heap space exhausted",
        "restart": False,
        "kb": heap["kb"],
    }


def test_list_table(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0 and f"{len(BUILTIN)} log signatures" in out
    row = next(line for line in out.splitlines() if "jvm.heap.oom" in line)
    assert row.split()[:3] == ["jvm.heap.oom", "critical", "memory"] and "all" in row


def test_export_grep_prints_one_pattern_per_signature(capsys):
    code, out, _ = run(capsys, "export", "--grep")
    assert code == 0 and out.splitlines() == export_grep(BUILTIN)


def test_export_json_round_trips(capsys):
    code, out, _ = run(capsys, "export")
    assert code == 0
    assert [Signature.model_validate(item) for item in json.loads(out)] == BUILTIN


@pytest.mark.skipif(GREP is None, reason="grep is not on PATH")
def test_grep_over_the_export_finds_every_match_line(tmp_path):
    """The benchmark's baseline: the exported file drives grep -c -E -f over a log of all match lines."""
    script = Path(sys.executable).with_name("atlas-health")
    exported = subprocess.run(
        [str(script), "signatures", "export", "--grep"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    patterns = tmp_path / "patterns.ere"
    patterns.write_text(exported.stdout, encoding="utf-8")
    log = tmp_path / "all.log"
    log.write_text("".join(f"{s.match}\n" for s in BUILTIN) + "an unrelated line\n", encoding="utf-8")
    counted = subprocess.run(
        [GREP, "-c", "-E", "-f", str(patterns), str(log)],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C"},
        timeout=60,
    )
    assert counted.stdout.strip() == str(len(BUILTIN)), counted.stderr


def test_test_command_accepts_a_good_file(capsys, tmp_path):
    good = tmp_path / "acme.yaml"
    good.write_text(doc(ENTRY), encoding="utf-8")
    code, _, err = run(capsys, "test", str(good))
    engines = ["Python re"] + (["Hyperscan"] if hyperscan else []) + (["grep -E"] if GREP else [])
    assert code == 0
    assert f"{good}: 1 signature(s) ok ({', '.join(engines)})" in err


def test_test_command_without_files_checks_the_built_ins(capsys):
    code, _, err = run(capsys, "test")
    assert code == 0 and f"the built-in knowledge base: {len(BUILTIN)} signature(s) ok" in err


def test_test_command_reports_every_problem_on_one_line(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(doc(variant(near_miss="'Slow query: 12 ms'")), encoding="utf-8")
    shadow = tmp_path / "shadow.yaml"
    shadow.write_text(doc(variant(id="jvm.heap.oom")), encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    code, out, err = run(capsys, "test", str(bad), str(missing))
    assert code == 3 and out == ""
    lines = err.strip().splitlines()
    assert lines == [
        f"{bad}:13: signatures[0] (acme.db.slow_query).near_miss: the pattern matches this line; a near-miss "
        "must not match",
        f"{missing}: cannot read the file: No such file or directory",
        "error: 2 problem(s) in the signatures",
    ]
    code, _, err = run(capsys, "test", str(shadow))
    assert code == 3 and "'jvm.heap.oom' is a built-in signature" in err


def test_the_engine_checks_can_fail(tmp_path):
    # A signature whose examples disagree with its pattern, built without validation: both engines object.
    broken = Signature.model_construct(
        **{**BUILTIN[0].model_dump(), "pattern": "Slow query", "match": "fast", "near_miss": "Slow query: 1"}
    )
    entries = [("x.yaml:2: acme.broken", broken)]
    if GREP is not None:
        assert _grep_problems(entries) == [
            "x.yaml:2: acme.broken: match: grep -E does not match it",
            "x.yaml:2: acme.broken: near_miss: grep -E matches it",
        ]
    if hyperscan is not None:
        assert _hyperscan_problems(entries) == [
            "x.yaml:2: acme.broken: match: Hyperscan does not match it",
            "x.yaml:2: acme.broken: near_miss: Hyperscan matches it",
        ]
    assert _grep_problems([("built-in x", BUILTIN[0])]) in ([], None)


def test_config_adds_signature_files_relative_to_the_config(capsys, tmp_path):
    (tmp_path / "signatures").mkdir()
    (tmp_path / "signatures" / "acme.yaml").write_text(doc(ENTRY), encoding="utf-8")
    config = write_config(tmp_path, "signatures/acme.yaml")
    loaded = load_config(config, registry=load_registry(), resolve_secrets=False)
    assert [s.id for s in load_signatures(loaded)] == [s.id for s in BUILTIN] + ["acme.db.slow_query"]
    assert load_signatures(None) == BUILTIN
    code, out, _ = run(capsys, "list", "--format", "json", "--config", str(config))
    assert code == 0 and json.loads(out)[-1]["id"] == "acme.db.slow_query"


def test_config_errors_name_the_signature_file(capsys, tmp_path):
    (tmp_path / "bad.yaml").write_text(doc(variant(match=None)), encoding="utf-8")
    (tmp_path / "latin1.yaml").write_bytes("signatures: []  # caf\xe9\n".encode("latin-1"))
    config = write_config(tmp_path, "bad.yaml", "gone.yaml", "latin1.yaml")
    loaded = load_config(config, registry=load_registry(), resolve_secrets=False)
    with pytest.raises(ConfigError) as raised:
        load_signatures(loaded)
    rendered = [issue.render(raised.value.source) for issue in raised.value.issues]
    assert rendered == [
        f"{tmp_path / 'bad.yaml'}:2: signatures[0] (acme.db.slow_query).match: missing required key 'match'",
        f"{config}:3: settings.logs.signature_files[1]: cannot read signature file {tmp_path / 'gone.yaml'}: "
        "No such file or directory",
        f"{config}:3: settings.logs.signature_files[2]: signature file {tmp_path / 'latin1.yaml'} is not UTF-8 text",
    ]
    code, out, err = run(capsys, "export", "--grep", "--config", str(config))
    assert code == 3 and out == ""
    assert err.strip().splitlines()[-1] == f"error: {config}: 3 configuration error(s)"


def test_a_custom_file_replacing_a_built_in_through_the_config(tmp_path):
    text = doc(variant(id="jvm.heap.oom", severity="warning") + "    replaces: true\n")
    (tmp_path / "ours.yaml").write_text(text, encoding="utf-8")
    loaded = load_config(write_config(tmp_path, "ours.yaml"), registry=load_registry(), resolve_secrets=False)
    merged = load_signatures(loaded)
    assert len(merged) == len(BUILTIN)
    assert next(s for s in merged if s.id == "jvm.heap.oom").severity == "warning"


def test_config_validate_checks_the_signature_files_too(capsys, tmp_path):
    (tmp_path / "bad.yaml").write_text(doc(variant(match=None)), encoding="utf-8")
    config = write_config(tmp_path, "bad.yaml")
    code = main(["config", "validate", str(config)])
    err = capsys.readouterr().err
    assert code == 3
    assert (
        f"{tmp_path / 'bad.yaml'}:2: signatures[0] (acme.db.slow_query).match: missing required key 'match'"
        in err
    )
    assert err.strip().splitlines()[-1] == f"error: {config}: 1 configuration error(s)"
    (tmp_path / "bad.yaml").write_text(doc(ENTRY), encoding="utf-8")
    assert main(["config", "validate", str(config)]) == 0
