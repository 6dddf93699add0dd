"""What a 404 on ingest means, in core's words (the window and the CLI only show them)."""

from app.core.axiom import ErrorKind, region_label
from app.core.axiom.routing import EU_CENTRAL
from app.core.job import StopKind, policy


def test_the_prompt_names_the_dataset_and_the_region_of_an_eu_profile():
    question, detail = policy.missing_dataset_prompt("eu-logs", region_label(EU_CENTRAL))
    assert question == "Dataset “eu-logs” does not exist. Create it?"
    assert "created in EU (eu-central-1) (a dataset's region cannot change later)" in detail
    assert "then the upload goes on" in detail
    question, detail = policy.missing_dataset_prompt("local", None)  # the sandbox: no region to name
    assert detail.startswith("It will be created, then the upload goes on")


def test_a_missing_dataset_is_one_kind_for_jobs_and_errors():
    assert policy.dataset_is_missing(StopKind.DATASET) and policy.dataset_is_missing(ErrorKind.DATASET_MISSING)
    assert not policy.dataset_is_missing(StopKind.AUTH) and not policy.dataset_is_missing(None)
    assert not policy.dataset_is_missing(ErrorKind.NOT_FOUND)  # a 404 elsewhere is not a missing dataset


def test_the_message_says_nothing_was_lost_and_how_to_go_on():
    text = policy.missing_dataset_message("logs", "add --create-dataset")
    assert text == ("dataset 'logs' does not exist (404; Axiom does not create datasets on ingest): "
                    "add --create-dataset — the events not sent are kept for that")
