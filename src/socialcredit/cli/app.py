"""The `scs` command (SPEC §6), assembled: each sub-command comes from the module of its job,
and what they share (exit codes, consoles, the registry on the chosen store) from
`cli/common.py`. Argument parsing and rendering only; the registry does the work."""

from __future__ import annotations

import typer

from socialcredit.cli import (
    catalogue,
    city,
    keys,
    options,
    records,
    repairs,
    rights,
    scores,
    serve,
)

app = typer.Typer(
    name="scs",
    help=(
        "Social credit information registry: publish catalogues, ingest records, score, show files."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.callback()(options.root_options)

# In this order in `scs --help` and docs/CLI.md: the commands, then the groups.
app.add_typer(catalogue.catalog_app, name="catalog")
app.add_typer(rights.objection_app, name="objection")
app.add_typer(repairs.repair_app, name="repair")
for _command in rights.RIGHTS_COMMANDS:
    app.command()(_command)
app.add_typer(keys.keys_app, name="keys")
app.command("serve")(serve.serve)
app.command("ingest")(records.ingest)
app.command("batches")(records.batches)
app.command("rejected")(records.rejected)
app.command("score")(scores.score)
app.command("export")(scores.export)
app.command("name-scores")(scores.name_scores)
app.command("show")(scores.show)
app.command("synth")(city.synth)
app.command("demo")(city.demo)


def _store_flag_on_every_group() -> None:
    """Every command group takes --db between its name and its command, as `catalog` does;
    groups registered above without a callback of their own get `options.group_options`."""
    for group in app.registered_groups:
        if group.typer_instance is not None and group.typer_instance.registered_callback is None:
            group.typer_instance.callback()(options.group_options)


_store_flag_on_every_group()


def main() -> None:
    app()
