"""The prompt templates, shipped as text files beside this module, and `PromptLibrary`."""

from __future__ import annotations

from importlib import resources
from string import Template

from apigen_async.schema import Style
from apigen_async.styles import REGISTRY

__all__ = ["PromptLibrary"]


class PromptLibrary:
    """Every prompt a run sends; the generator's templates are those the styles name."""

    def __init__(self) -> None:
        root = resources.files(__name__)
        self.system = (root / "system.txt").read_text().strip()
        self.judge_system = (root / "judge_system.txt").read_text().strip()
        self.judge = Template((root / "judge.txt").read_text())
        # An answer with no call is judged on a different question: is no call right?
        self.judge_irrelevance_system = (root / "judge_irrelevance_system.txt").read_text().strip()
        self.judge_irrelevance = Template((root / "judge_irrelevance.txt").read_text())
        # The re-solver sees the query and the functions only, never the pair's answers.
        self.resolve_system = (root / "resolve_system.txt").read_text().strip()
        self.resolve = Template((root / "resolve.txt").read_text())
        self.generate: dict[str, Template] = {
            name: Template((root / "generate" / f"{name}.txt").read_text())
            for spec in REGISTRY.values()
            for name in spec.templates
        }

    def templates_for(self, style: Style) -> list[str]:
        return list(REGISTRY[style].templates)
