"""``assess duties CONFIG``: each organisation's responsibility lists, their
findings and obligations (required vs recorded), as a table or JSON.

Exit codes: 0 every list complete, 1 findings or an organisation failed
validation, 2 a bad config.

``fivestar.cli`` is imported inside the command: the command line loads this
plugin while ``fivestar.cli`` itself is being imported (its ``options``
module, which imports nothing of the command line, is safe at the top).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import fivestar.plugins.duties as plugin
from fivestar.cli.options import choose_format, config_argument, output_options
from fivestar.model import InputError, Organisation, Problem
from fivestar.pipeline import RunContext, load_organisation, mark_duplicates
from fivestar.plugins.duties import duty_lists_of
from fivestar.plugins.duties.catalogue import CATALOGUES, catalogue_for
from fivestar.report.terminal import format_table

STATUS_LABELS = {"complete": "完整", "findings": "有问题", "failed": "未通过校验", "no_lists": "无责任清单"}


def organisation_status(organisation: Organisation, lists: list[dict[str, Any]]) -> str:
    if not organisation.valid:
        return "failed"
    if not lists:
        return "no_lists"
    return "findings" if any(entry["status"] == "findings" for entry in lists) else "complete"


def duties_document(organisations: list[Organisation], context: RunContext) -> dict[str, Any]:
    documents = []
    for organisation in organisations:
        lists = duty_lists_of(organisation)
        documents.append(
            {
                "id": organisation.id,
                "name": organisation.name,
                "file": str(organisation.path),
                "status": organisation_status(organisation, lists),
                "errors": [problem.as_dict() for problem in organisation.errors],
                "duty_lists": lists,
            }
        )
    all_lists = [entry for document in documents for entry in document["duty_lists"]]
    return {
        "year": context.year,
        "edition": context.edition,
        "organisations": documents,
        "summary": {
            "organisations": len(documents),
            "failed": sum(document["status"] == "failed" for document in documents),
            "lists": len(all_lists),
            "complete": sum(entry["status"] == "complete" for entry in all_lists),
            "with_findings": sum(entry["status"] == "findings" for entry in all_lists),
        },
    }


def shown(value: Any) -> str:
    if value is None:
        return "未填报"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def render_table(document: dict[str, Any]) -> str:
    blocks = []
    for organisation in document["organisations"]:
        lines = [f"{organisation['name']}（{organisation['id']}）：{STATUS_LABELS[organisation['status']]}"]
        lines += [f"  错误：{error['message']}" for error in organisation["errors"]]
        for entry in organisation["duty_lists"]:
            status = STATUS_LABELS[entry["status"]]
            lines.append(f"  {entry['role']}：{entry['holder']}（{entry['level']}）— {status}")
            for finding in entry["findings"]:
                text = finding["message"]
                if finding["required"] is not None:
                    text += f"（要求 {shown(finding['required'])}，实际 {shown(finding['recorded'])}）"
                lines.append(f"    问题：{text}")
            rows = [
                [
                    str(line["item"]),
                    line["text"],
                    line["key"],
                    line["required"],
                    shown(line["recorded"]),
                    "是" if line["met"] else "否",
                ]
                for line in entry["obligations"]
            ]
            if rows:
                table = format_table(["项", "责任要求", "键", "要求", "实际", "达标"], rows, right_from=3)
                lines += ["    " + row for row in table.splitlines()]
        blocks.append("\n".join(lines))
    summary = document["summary"]
    blocks.append(
        f"{summary['organisations']} 个党组织（{summary['failed']} 个未通过校验），"
        f"{summary['lists']} 份责任清单：{summary['complete']} 份完整，{summary['with_findings']} 份有问题"
        f" · {document['edition']} · {document['year']}"
    )
    return "\n\n".join(blocks) + "\n"


@click.command("duties")
@config_argument
@output_options(choices=("table", "json"))
def duties(config_path: str, output_format: str | None, output: Path | None) -> None:
    """三级书记责任清单: each list's status, findings and obligations (required vs recorded)."""
    from fivestar.cli import fail, open_run, write_output

    output_format = choose_format(output_format, output, {"table": ".txt", "json": ".json"}, "table")
    config, pm, context = open_run(config_path)
    if not pm.is_registered(plugin):
        fail([Problem("error", config_path, "plugins", "disable", "the duties plugin enabled", '"duties" disabled')])
    if catalogue_for(context.lineage) is None:
        expected = "an edition with responsibility lists: " + ", ".join(CATALOGUES)
        fail([Problem("error", config_path, "assessment", "edition", expected, f'"{context.edition}"')])
    try:
        files = config.organisation_files()
    except InputError as error:
        fail(error.problems)
    organisations = [load_organisation(path, pm, context) for path in files]
    mark_duplicates(organisations)
    document = duties_document(organisations, context)
    if output_format == "json":
        write_output(json.dumps(document, ensure_ascii=False, indent=2) + "\n", output, what="json")
    else:
        write_output(render_table(document), output, what="table")
    clean = all(organisation["status"] in ("complete", "no_lists") for organisation in document["organisations"])
    sys.exit(0 if clean else 1)
