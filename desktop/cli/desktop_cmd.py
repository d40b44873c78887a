"""`earmark desktop install [--default]` and `earmark desktop uninstall`.

Registers Earmark with the Linux desktop for the current user, following the XDG specs:
the desktop entry (applications/), the MIME type of Earmark's JSON export (mime/packages/),
the AppStream metainfo (metainfo/) and the icon (icons/hicolor/), all under
$XDG_DATA_HOME (~/.local/share), then refreshes the desktop and MIME caches when
`update-desktop-database` and `update-mime-database` are installed. Earmark becomes the
default application for its types only with --default ($XDG_CONFIG_HOME/mimeapps.list,
the file `xdg-mime default` writes).

Install keeps a manifest of what it wrote (files, folders it created, the defaults it
replaced), so uninstall removes exactly that and puts the previous defaults back.
The files come from packaging/linux (beside resources/, in the source tree and in the
bundle); the desktop entry's `Exec=earmark` becomes the command that ran this install.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.cli.output import print_json
from desktop.core.errors import EarmarkError
from desktop.core.resources import resources_dir

DESKTOP_ID = "earmark.desktop"
METAINFO = "io.github.earmark.Earmark.metainfo.xml"
MIME_SOURCE = "earmark-mime.xml"
MIME_PACKAGE = "earmark.xml"
ICON_NAME = "earmark"
MANIFEST_VERSION = 1
DEFAULTS_SECTION = "[Default Applications]"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    json_flag = argparse.ArgumentParser(add_help=False)
    json_flag.add_argument("--json", action="store_true", help="machine-readable output")
    actions = parser.add_subparsers(dest="desktop_command", metavar="ACTION", required=True)
    p = actions.add_parser(
        "install",
        parents=[json_flag],
        help="register Earmark with the desktop for this user (menu, icon, file types)",
    )
    p.add_argument(
        "--default",
        action="store_true",
        help="also make Earmark the default application for audio, video and subtitles",
    )
    p.set_defaults(handler=install_cmd)
    p = actions.add_parser(
        "uninstall", parents=[json_flag], help="remove exactly what 'desktop install' wrote"
    )
    p.set_defaults(handler=uninstall_cmd)


def install_cmd(args: argparse.Namespace) -> int:
    dirs = XdgDirs.from_env()
    report = install(dirs, make_default=args.default)
    if args.json:
        print_json(report)
        return 0
    for path in report["files"]:
        print(f"wrote {path}")
    for warning in report["warnings"]:
        print(f"earmark: warning: {warning}", file=sys.stderr)
    if report["default_for"]:
        print(f"Earmark now opens {', '.join(report['default_for'])} ({dirs.mimeapps})")
    print(f"Installed for this user; the menu entry runs: {report['exec']}")
    return 0


def uninstall_cmd(args: argparse.Namespace) -> int:
    dirs = XdgDirs.from_env()
    report = uninstall(dirs)
    if args.json:
        print_json(report)
        return 0
    if not report["installed"]:
        print(f"Earmark is not installed for this user (no {dirs.manifest})")
        return 0
    for path in report["removed"]:
        print(f"removed {path}")
    for warning in report["warnings"]:
        print(f"earmark: warning: {warning}", file=sys.stderr)
    if report["restored_defaults"]:
        print(f"defaults put back for {', '.join(report['restored_defaults'])}")
    return 0


@dataclass(frozen=True)
class XdgDirs:
    data_home: Path
    config_home: Path

    @classmethod
    def from_env(cls) -> XdgDirs:
        if sys.platform in ("win32", "darwin"):
            raise EarmarkError(
                "'earmark desktop' registers with Linux desktops; on macOS and Windows the "
                "installer does it (see packaging/macos and packaging/windows)"
            )
        home = Path.home()
        data = os.environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
        config = os.environ.get("XDG_CONFIG_HOME") or str(home / ".config")
        return cls(Path(data), Path(config))

    @property
    def manifest(self) -> Path:
        return self.data_home / "earmark" / "desktop-install.json"

    @property
    def mimeapps(self) -> Path:
        return self.config_home / "mimeapps.list"


def packaging_dir() -> Path:
    """packaging/linux beside resources/ (the source tree, or the bundle)."""
    return resources_dir().parent / "packaging" / "linux"


def launcher() -> list[str]:
    """The command that starts this Earmark: the bundle's executable, the `earmark` script
    beside this Python (a virtual environment), the one on PATH, or `python -m desktop`."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script = Path(sys.executable).parent / "earmark"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    found = shutil.which("earmark")
    if found:
        return [found]
    return [sys.executable, "-m", "desktop"]


RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def exec_quote(arg: str) -> str:
    """One Exec argument, quoted as the Desktop Entry spec asks, escaped for the file."""
    if "%" in arg:
        arg = arg.replace("%", "%%")
    if RESERVED & set(arg):
        inner = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        arg = f'"{inner}"'
    return arg.replace("\\", "\\\\")  # the file's own string escaping


def desktop_entry(template: str, command: list[str]) -> str:
    """The entry with each `Exec=earmark ...` line starting with `command` instead."""
    prefix = " ".join(exec_quote(part) for part in command)
    lines = []
    for line in template.splitlines():
        if line == "Exec=earmark" or line.startswith("Exec=earmark "):
            line = "Exec=" + prefix + line[len("Exec=earmark") :]
        lines.append(line)
    return "\n".join(lines) + "\n"


def mime_types(entry: str) -> list[str]:
    for line in entry.splitlines():
        if line.startswith("MimeType="):
            return [t for t in line[len("MimeType=") :].split(";") if t]
    return []


@dataclass
class Plan:
    """The files to write: target (relative to XDG_DATA_HOME) -> bytes."""

    files: dict[str, bytes] = field(default_factory=dict)
    types: list[str] = field(default_factory=list)


def plan(command: list[str]) -> Plan:
    source = packaging_dir()
    template_path = source / DESKTOP_ID
    if not template_path.is_file():
        raise EarmarkError(f"the desktop files are missing: {template_path} does not exist")
    entry = desktop_entry(template_path.read_text(encoding="utf-8"), command)
    result = Plan(types=mime_types(entry))
    result.files[f"applications/{DESKTOP_ID}"] = entry.encode("utf-8")
    result.files[f"mime/packages/{MIME_PACKAGE}"] = (source / MIME_SOURCE).read_bytes()
    result.files[f"metainfo/{METAINFO}"] = (source / METAINFO).read_bytes()
    svg = resources_dir() / "icons" / f"{ICON_NAME}.svg"
    result.files[f"icons/hicolor/scalable/apps/{ICON_NAME}.svg"] = svg.read_bytes()
    for png in sorted((source / "icons" / "hicolor").glob(f"*/apps/{ICON_NAME}.png")):
        size = png.parent.parent.name
        result.files[f"icons/hicolor/{size}/apps/{ICON_NAME}.png"] = png.read_bytes()
    return result


def install(dirs: XdgDirs, make_default: bool = False) -> dict[str, Any]:
    if dirs.manifest.is_file():
        uninstall(dirs)  # a fresh install replaces the last one, defaults included
    command = launcher()
    todo = plan(command)
    created: list[str] = []
    written: list[str] = []
    caches = {
        "applications": (dirs.data_home / "applications" / "mimeinfo.cache").exists(),
        "mime": (dirs.data_home / "mime").exists(),
    }
    for relative, data in todo.files.items():
        target = dirs.data_home / relative
        created += make_dirs(target.parent)
        write_bytes(target, data)
        written.append(str(target))
    warnings = refresh_caches(dirs)
    defaults = None
    if make_default:
        defaults = set_defaults(dirs.mimeapps, todo.types, created)
    created += make_dirs(dirs.manifest.parent)
    manifest = {
        "version": MANIFEST_VERSION,
        "exec": command,
        "files": written,
        "created_dirs": created,
        "caches_existed": caches,
        "defaults": defaults,
    }
    write_bytes(dirs.manifest, json.dumps(manifest, indent=2).encode("utf-8") + b"\n")
    return {
        "files": written,
        "manifest": str(dirs.manifest),
        "exec": " ".join(command),
        "default_for": todo.types if make_default else [],
        "warnings": warnings,
    }


def uninstall(dirs: XdgDirs) -> dict[str, Any]:
    if not dirs.manifest.is_file():
        return {"installed": False, "removed": [], "restored_defaults": [], "warnings": []}
    try:
        manifest = json.loads(dirs.manifest.read_text(encoding="utf-8"))
        files = [str(p) for p in manifest["files"]]
        created = [str(p) for p in manifest["created_dirs"]]
        caches = dict(manifest["caches_existed"])
        defaults = manifest.get("defaults")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EarmarkError(f"cannot read the install manifest {dirs.manifest}: {exc}") from exc
    restored: list[str] = []
    if defaults:
        restored = restore_defaults(Path(defaults["file"]), defaults)
    removed = []
    for path in files:
        if os.path.lexists(path):
            os.remove(path)
            removed.append(path)
    warnings = refresh_caches(dirs, forget=caches, created=created)
    dirs.manifest.unlink()
    for folder in sorted(created, key=len, reverse=True):  # the deepest first
        with contextlib.suppress(OSError):  # not empty: something else lives there now
            os.rmdir(folder)
    return {
        "installed": True,
        "removed": removed,
        "restored_defaults": restored,
        "warnings": warnings,
    }


def make_dirs(folder: Path) -> list[str]:
    """Create `folder` and its missing parents; the ones created, the outermost first."""
    missing = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    folder.mkdir(parents=True, exist_ok=True)
    return [str(p) for p in reversed(missing)]


def write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def refresh_caches(
    dirs: XdgDirs, forget: dict[str, bool] | None = None, created: list[str] | None = None
) -> list[str]:
    """Run the cache tools. On uninstall (`forget` = which caches existed before install),
    a cache that install brought into being and that now describes nothing is removed."""
    warnings: list[str] = []
    applications = dirs.data_home / "applications"
    mime = dirs.data_home / "mime"
    if forget is not None and not forget.get("mime") and str(mime) in (created or []):
        packages = mime / "packages"
        if not (packages.is_dir() and any(packages.iterdir())):
            shutil.rmtree(mime, ignore_errors=True)  # only the database install made
    elif mime.is_dir():
        warnings += run_tool(["update-mime-database", str(mime)])
    if applications.is_dir():
        warnings += run_tool(["update-desktop-database", str(applications)])
        nothing_left = not any(applications.glob("*.desktop"))
        if forget is not None and not forget.get("applications") and nothing_left:
            (applications / "mimeinfo.cache").unlink(missing_ok=True)
    theme_cache = dirs.data_home / "icons" / "hicolor" / "icon-theme.cache"
    if theme_cache.exists():
        warnings += run_tool(["gtk-update-icon-cache", "-f", "-t", str(theme_cache.parent)])
    return warnings


def run_tool(command: list[str]) -> list[str]:
    if shutil.which(command[0]) is None:
        return []  # optional: the desktop rescans without it, later
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [f"{command[0]} failed: {exc}"]
    if done.returncode != 0:
        return [f"{command[0]} failed: {(done.stderr or done.stdout).strip()}"]
    return []


# --- mimeapps.list: the defaults, edited line by line so everything else stays ----------


def set_defaults(path: Path, types: list[str], created: list[str]) -> dict[str, Any]:
    existed = path.exists()
    lines = path.read_text(encoding="utf-8").splitlines() if existed else []
    previous = {}
    for mime_type in types:
        previous[mime_type] = default_entry(lines, mime_type)
        lines = with_default(lines, mime_type, DESKTOP_ID)
    created += make_dirs(path.parent)
    write_bytes(path, ("\n".join(lines) + "\n").encode("utf-8"))
    return {"file": str(path), "created": not existed, "previous": previous}


def restore_defaults(path: Path, defaults: dict[str, Any]) -> list[str]:
    """Put back what --default replaced, for the types still pointing at Earmark."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    restored = []
    for mime_type, before in defaults["previous"].items():
        if default_entry(lines, mime_type) == DESKTOP_ID:  # the user did not change it since
            lines = with_default(lines, mime_type, before)
            restored.append(mime_type)
    meaningful = [line for line in lines if line.strip() and line.strip() != DEFAULTS_SECTION]
    if defaults["created"] and not meaningful:
        path.unlink()
    else:
        write_bytes(path, ("\n".join(lines) + "\n").encode("utf-8"))
    return restored


def _section(lines: list[str]) -> tuple[int, int] | None:
    """The [Default Applications] section's header index and end (exclusive)."""
    start = next((i for i, line in enumerate(lines) if line.strip() == DEFAULTS_SECTION), None)
    if start is None:
        return None
    end = start + 1
    while end < len(lines) and not lines[end].lstrip().startswith("["):
        end += 1
    return start, end


def default_entry(lines: list[str], mime_type: str) -> str | None:
    section = _section(lines)
    if section is None:
        return None
    for line in lines[section[0] + 1 : section[1]]:
        key, sep, value = line.partition("=")
        if sep and key.strip() == mime_type:
            return value.strip()
    return None


def with_default(lines: list[str], mime_type: str, value: str | None) -> list[str]:
    """`lines` with the default for `mime_type` set to `value` (None removes it)."""
    lines = list(lines)
    section = _section(lines)
    if section is None:
        if value is None:
            return lines
        if lines and lines[-1].strip():
            lines.append("")
        lines.append(DEFAULTS_SECTION)
        section = (len(lines) - 1, len(lines))
    start, end = section
    for i in range(start + 1, end):
        key, sep, _ = lines[i].partition("=")
        if sep and key.strip() == mime_type:
            if value is None:
                del lines[i]
            else:
                lines[i] = f"{mime_type}={value}"
            return lines
    if value is not None:
        insert = end
        while insert > start + 1 and not lines[insert - 1].strip():
            insert -= 1  # before the blank lines that end the section
        lines.insert(insert, f"{mime_type}={value}")
    return lines
