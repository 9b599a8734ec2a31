"""Validate FHIR STU3 files with PyPI's fhir.resources and check XML element order.

Usage: validate_stu3.py DIR — every *.json and *.xml file in DIR must parse as the STU3 resource
it declares; for JSON, every object's keys must follow the order of `elements_sequence()`.
Prints "N valid" and exits non-zero on the first problem.
"""
import json
import pathlib
import sys

from fhir.resources.STU3 import get_fhir_model_class


def check_order(model_class, data, where):
    """Keys of `data` must appear in the StructureDefinition order the model declares."""
    sequence = model_class.elements_sequence()
    # XML attributes have no order: a datatype's id, an extension's url.
    attributes = {"url"} if model_class.__name__ == "Extension" else set()
    if "resourceType" not in data:
        attributes.add("id")
    keys = [k.lstrip("_") for k in data.keys() if k != "resourceType" and k not in attributes]
    positions = [sequence.index(k) for k in keys if k in sequence]
    if positions != sorted(positions):
        raise SystemExit(f"{where}: element order {keys} does not follow {sequence}")
    for key, value in data.items():
        field = model_class.model_fields.get(key)
        if field is None:
            continue
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                child = None
                if "resourceType" in item:
                    child = get_fhir_model_class(item["resourceType"])
                else:
                    child = datatype_class(field.annotation)
                if child is not None:
                    check_order(child, item, f"{where}.{key}")


def datatype_class(annotation):
    """The model class behind an annotation such as Optional[List[abc.HumanNameType]]."""
    for arg in getattr(annotation, "__args__", ()):
        found = datatype_class(arg)
        if found is not None:
            return found
    name = getattr(annotation, "__name__", "")
    if name.endswith("Type") and name != "Type":
        try:
            return get_fhir_model_class(name[: -len("Type")])
        except Exception:
            return None
    return None


def main(directory):
    count = 0
    for path in sorted(pathlib.Path(directory).iterdir()):
        raw = path.read_bytes()
        if path.suffix == ".json":
            data = json.loads(raw)
            model = get_fhir_model_class(data["resourceType"])
            model.model_validate_json(raw)
            check_order(model, data, path.name)
        elif path.suffix == ".xml":
            root = raw.split(b"<", 2)[2].split(b" ", 1)[0].split(b">", 1)[0].decode()
            get_fhir_model_class(root).model_validate_xml(raw)
        else:
            continue
        count += 1
    print(f"{count} valid")


if __name__ == "__main__":
    main(sys.argv[1])
