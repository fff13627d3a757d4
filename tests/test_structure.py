"""The package's layering rules, checked on its source: arrows point down.

`engine/` is the floor every layer stands on and imports nothing above it; modules import
what they use at the top rather than inside functions (a function-local import usually
hides a cycle); class checks use isinstance, not class-name strings; the training loop
and the compiled epoch stay small enough to read on one screen.
"""
import ast
import inspect
import pathlib

import layerwise
from layerwise.models import steps, trainer

PACKAGE = pathlib.Path(layerwise.__file__).parent
TESTS = pathlib.Path(__file__).parent
ABOVE_ENGINE = ("layers", "saving", "models", "callbacks", "losses", "metrics", "optimizers")


def _trees():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text())


def _imported_modules(node):
    if isinstance(node, ast.ImportFrom) and node.module:
        if node.module == "layerwise":
            return [f"layerwise.{alias.name}" for alias in node.names]
        return [node.module]
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return []


def test_engine_imports_nothing_above_it():
    offending = []
    for path, tree in _trees():
        if path.parent.name != "engine":
            continue
        for node in ast.walk(tree):
            for module in _imported_modules(node):
                parts = module.split(".")
                if parts[0] == "layerwise" and len(parts) > 1 and parts[1] in ABOVE_ENGINE:
                    offending.append(f"{path.name}:{node.lineno} imports {module}")
    assert offending == []


def test_few_function_local_imports_of_the_library():
    local = []
    for path, tree in _trees():
        for function in ast.walk(tree):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(function):
                    if any(m.startswith("layerwise") for m in _imported_modules(node)):
                        local.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert len(set(local)) <= 25, sorted(set(local))


def _is_class_name(node) -> bool:
    """`type(x).__name__` or `x.__class__.__name__`."""
    if not (isinstance(node, ast.Attribute) and node.attr == "__name__"):
        return False
    owner = node.value
    return (isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name)
            and owner.func.id == "type") or (
        isinstance(owner, ast.Attribute) and owner.attr == "__class__")


def test_no_class_name_string_comparisons():
    found = []
    for path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and any(
                    _is_class_name(side) for side in [node.left, *node.comparators]) and any(
                    isinstance(side, ast.Constant) and isinstance(side.value, str)
                    for side in [node.left, *node.comparators]):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert found == []


def _length(function) -> int:
    lines, _ = inspect.getsourcelines(function)
    return len(lines)


def test_fit_reads_on_one_screen():
    assert _length(trainer.Trainer.fit) <= 45


def test_the_compiled_epoch_takes_at_most_eight_parameters():
    parameters = inspect.signature(steps.StepFunctions._train_epoch).parameters
    assert len(parameters) <= 8, list(parameters)


# Layer test files that cannot use check_layer, each with the reason.
CHECK_LAYER_EXEMPT = {
    "test_jax_layer.py": "a JaxLayer made from params cannot be rebuilt from its config (in "
                         "Keras neither), so its tests compare with Keras directly",
}


def test_every_layer_test_file_uses_the_shared_check_layer():
    missing = [path.name for path in sorted((TESTS / "layers").glob("test_*.py"))
               if "check_layer(" not in path.read_text()
               and path.name not in CHECK_LAYER_EXEMPT]
    assert missing == []
