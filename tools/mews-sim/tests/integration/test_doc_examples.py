"""The official documentation's example requests, sent verbatim, answer in the documented shape.

Each `doc_examples/*.json` holds one operation's example request and response, copied from
MewsSystems/open-api-docs `connector-api/operations/<name>.md`. The comparison is of shape:
every key of the example exists in the answer (recursively) with a value of the same JSON type
(null on either side tolerated); keys the answer has beyond the example must be documented
fields of that object, listed in the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "doc_examples").glob("*.json"))
# Values that are maps keyed by data (languages, card types), not by field names.
FREE_MAPS = {
    "Names",
    "ShortNames",
    "Descriptions",
    "ExternalNames",
    "Directions",
    "SurchargeFees",
    "Description",
}


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def compare(doc: Any, ours: Any, where: str, extra: set[str], problems: list[str]) -> None:
    if doc is None or ours is None:
        return
    if json_type(doc) != json_type(ours):
        problems.append(f"{where}: type {json_type(ours)} where the example has {json_type(doc)}")
        return
    if isinstance(doc, dict):
        if where.rsplit(".", 1)[-1] in FREE_MAPS:
            return
        for key in doc.keys() - ours.keys():
            problems.append(f"{where}.{key}: missing")
        for key in ours.keys() - doc.keys() - extra:
            problems.append(f"{where}.{key}: not in the example and not a listed documented field")
        for key in doc.keys() & ours.keys():
            compare(doc[key], ours[key], f"{where}.{key}", extra, problems)
    elif isinstance(doc, list) and doc and ours:
        for n, item in enumerate(ours):
            model = doc[0]
            if isinstance(item, dict) and isinstance(model, dict) and "Data" in item:
                # Coproducts: compare with the example item of the same discriminator.
                same = [
                    d
                    for d in doc
                    if (d.get("Data") or {}).get("Discriminator")
                    == (item.get("Data") or {}).get("Discriminator")
                ]
                model = same[0] if same else model
            compare(model, item, f"{where}[{n}]", extra, problems)


def test_examples_are_present() -> None:
    names = {p.stem for p in EXAMPLES}
    assert {
        "configuration_get",
        "customers_getAll",
        "reservations_getAll_2023-06-06",
        "orders_add",
        "orderItems_getAll",
        "bills_getAll",
    } <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_documentation_example(path: Path, mews_sim, http) -> None:
    example = json.loads(path.read_text())
    assert example["source"].startswith("MewsSystems/open-api-docs:connector-api/operations/")
    url = mews_sim.api_url(example["operation"])
    request = example["request"]
    if "request_adjustment" in example:
        verbatim = http.post(url, json=request)
        assert verbatim.status_code == 400, verbatim.text
        request = {**request, **example["request_adjustment"]}
    response = http.post(url, json=request)
    assert response.status_code == 200, response.text
    ours = response.json()
    problems: list[str] = []
    compare(example["response"], ours, "$", set(example["documented_extra_keys"]), problems)
    assert not problems, "\n".join(problems)
    # Not a vacuous match: every non-empty list in the example is non-empty in the answer,
    # except the collections the simulator documents as always empty.
    always_empty = {"CustomerProducts", "AvailabilityBlockAssignments"}
    for key, value in example["response"].items():
        if (
            isinstance(value, list)
            and value
            and isinstance(value[0], dict)
            and key not in always_empty
        ):
            assert ours[key], f"{key} came back empty"
