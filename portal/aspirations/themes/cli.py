"""`flask aspirations evaluate FILE --text COLUMN --label COLUMN [--themes K]`."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("evaluate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--text", "text_column", required=True, help="Column (or JSON key) holding the text.")
@click.option("--label", "label_column", required=True, help="Column (or JSON key) holding the label.")
@click.option("--themes", "k", type=click.IntRange(1, 100), default=None,
              help="Number of themes (default: the portal's own choice).")
def evaluate_command(file: Path, text_column: str, label_column: str, k: int | None) -> None:
    """Theme a labelled CSV, TSV or JSON-lines file and print purity and NMI against its labels,
    beside a random assignment with the same sizes and plain TF-IDF + NMF."""
    from portal.aspirations.themes import evaluate  # scikit-learn loads only when asked

    try:
        texts, labels = evaluate.read_labelled(file, text_column, label_column)
    except evaluate.DataError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{file}: {len(texts)} texts, {len(set(labels))} labels; themes: {k if k else 'chosen by the portal'}")
    click.echo(evaluate.table(evaluate.evaluate(texts, labels, k)))
