"""The command registry: one module per command, listings generated from it, README in step."""

import pkgutil
import re

import pytest

import spineviewer.cli
from spineviewer.cli.registry import COMMAND_MODULES, Command, commands, listing, register
from tests.conftest import REPO

#: Modules of the cli package that are the machinery, not commands.
MACHINERY = {"__main__", "entry", "registry"}


def _nothing(parser):
    """No arguments."""


def _command(name: str, synopsis: str) -> Command:
    return Command(name=name, synopsis=synopsis, summary="what it does", description="",
                   add_arguments=_nothing, run=lambda args: 0)


class TestCommands:
    def test_one_module_per_command(self):
        """Every command module of the package registers the command it is named after."""
        modules = {m.name for m in pkgutil.iter_modules(spineviewer.cli.__path__)} - MACHINERY
        assert modules == set(COMMAND_MODULES)
        assert all(name == command.name for name, command in commands().items())

    def test_order_is_the_module_list(self):
        """The commands come in the order of COMMAND_MODULES."""
        assert list(commands()) == list(COMMAND_MODULES)

    def test_a_name_registered_twice_is_refused(self):
        """Registering a taken name raises and leaves the registry as it was."""
        with pytest.raises(ValueError, match="'info' is registered twice"):
            register(_command("info", "PATH"))
        assert commands()["info"].synopsis == "PATH [--json]"

    @pytest.mark.parametrize("name", COMMAND_MODULES)
    def test_synopsis_options_are_real(self, name):
        """A synopsis names only options its parser has, and every required one."""
        command = commands()[name]
        parser = command.parser()
        shown = set(re.findall(r"--[a-z][a-z0-9-]*", command.synopsis))
        assert shown <= set(parser._option_string_actions)
        required = {a.option_strings[0] for a in parser._actions if a.required and a.option_strings}
        assert required <= shown

    @pytest.mark.parametrize("name", COMMAND_MODULES)
    def test_parser_is_named_after_the_command(self, name):
        """``spineviewer NAME --help`` shows ``spineviewer NAME`` and the description."""
        command = commands()[name]
        help_text = command.parser().format_help()
        assert help_text.startswith(f"usage: spineviewer {name} ")
        assert command.description.split()[0] in help_text


class TestListing:
    def test_short_synopsis_shares_the_line(self):
        """A short synopsis is padded so the summary starts 22 columns after the prefix."""
        assert listing([_command("info", "PATH")], prefix="  ") == [
            "  info PATH" + " " * 13 + "what it does"]

    def test_long_synopsis_puts_the_summary_below(self):
        """A synopsis that reaches the summary column puts the summary on the next line."""
        assert listing([_command("measure", "STUDY --out DIR [--x Y]")], prefix="") == [
            "measure STUDY --out DIR [--x Y]", " " * 22 + "what it does"]


def test_readme_commands_block_is_the_listing():
    """The README's Commands block is the workstation line plus the registry's listing."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Commands\n\n```\n(.*?)\n```", readme, re.S).group(1)
    gui = "spineviewer [PATH ...]            open the workstation (no PATH: the bundled sample study)"
    assert block.splitlines() == [gui, *listing(commands().values(), prefix="spineviewer ")]
