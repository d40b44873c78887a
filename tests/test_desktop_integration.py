"""Linux desktop integration: the files in packaging/linux pass the validators, and
`earmark desktop install` / `uninstall` register and remove them for one user."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from desktop.cli import desktop_cmd
from desktop.cli.main import command_names, main

ROOT = Path(__file__).resolve().parents[1]
LINUX = ROOT / "packaging" / "linux"
ENTRY = LINUX / "earmark.desktop"
METAINFO = LINUX / "io.github.earmark.Earmark.metainfo.xml"
FREEDESKTOP_MIME = Path("/usr/share/mime/packages/freedesktop.org.xml")
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"

# The types the issue names: mp3, m4a/aac, ogg/opus, flac, wav, mp4, mkv, webm, srt, vtt, JSON.
EXPECTED_TYPES = {
    "audio/mpeg",
    "audio/mp4",
    "audio/aac",
    "audio/ogg",
    "audio/x-vorbis+ogg",
    "audio/x-opus+ogg",
    "audio/flac",
    "audio/x-wav",
    "video/mp4",
    "video/x-matroska",
    "video/webm",
    "application/x-subrip",
    "text/vtt",
    "application/x-earmark-transcript",
}


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: scripts/setup.sh installs it (apt-get)"
    return path


def entry_values(text: str, group: str = "Desktop Entry") -> dict[str, str]:
    values: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("["):
            current = line.strip("[]")
        elif current == group and "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def test_desktop_entry_validates_and_passes_the_files() -> None:
    done = subprocess.run([tool("desktop-file-validate"), str(ENTRY)], capture_output=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout.decode()
    values = entry_values(ENTRY.read_text(encoding="utf-8"))
    assert values["Exec"] == "earmark %F"  # %F: a double-click passes the file
    assert values["Version"] == "1.4"
    assert values["Icon"] == "earmark"
    assert set(values["MimeType"].rstrip(";").split(";")) >= EXPECTED_TYPES


def test_metainfo_validates() -> None:
    done = subprocess.run(
        [tool("appstreamcli"), "validate", "--no-net", str(METAINFO)], capture_output=True
    )
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("launchable") == "earmark.desktop"
    images = [image.text or "" for image in root.iter("image")]
    assert images and all(i.endswith(".png") and "docs/screenshots/" in i for i in images)


def known_mime_types() -> set[str]:
    """Canonical types of shared-mime-info plus Earmark's own XML (no aliases)."""
    types = set()
    for path in (FREEDESKTOP_MIME, LINUX / "earmark-mime.xml"):
        types |= {t.get("type") for t in ET.parse(path).getroot().iter(f"{MIME_NS}mime-type")}
    return types


def test_every_type_is_a_canonical_mime_type() -> None:
    if not FREEDESKTOP_MIME.exists():
        pytest.fail("shared-mime-info is missing: scripts/setup.sh installs it")
    values = entry_values(ENTRY.read_text(encoding="utf-8"))
    listed = set(values["MimeType"].rstrip(";").split(";"))
    assert listed <= known_mime_types()


def test_icons_exist_at_the_theme_sizes() -> None:
    sizes = {p.parent.parent.name for p in (LINUX / "icons" / "hicolor").glob("*/apps/*.png")}
    assert {"16x16", "32x32", "48x48", "64x64", "128x128", "256x256", "512x512"} <= sizes
    from PySide6.QtGui import QImage

    for size in sizes:
        image = QImage(str(LINUX / "icons" / "hicolor" / size / "apps" / "earmark.png"))
        assert f"{image.width()}x{image.height()}" == size


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    data, config = tmp_path / "data", tmp_path / "config"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return {"data": data, "config": config, "root": tmp_path}


def query_default(mime_type: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CURRENT_DESKTOP", "DE")}
    done = subprocess.run(
        [tool("xdg-mime"), "query", "default", mime_type],
        capture_output=True,
        text=True,
        env=env,
    )
    return done.stdout.strip()


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder under root."""
    return {
        str(p.relative_to(root)): p.read_bytes() if p.is_file() else None
        for p in sorted(root.rglob("*"))
    }


def run_cli(args: list[str], capsys) -> dict:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_install_writes_the_files_and_uninstall_removes_exactly_them(xdg, capsys) -> None:
    before = snapshot(xdg["root"])
    report = run_cli(["desktop", "install"], capsys)
    data = xdg["data"]
    expected = {
        "applications/earmark.desktop",
        "mime/packages/earmark.xml",
        "metainfo/io.github.earmark.Earmark.metainfo.xml",
        "icons/hicolor/scalable/apps/earmark.svg",
        "icons/hicolor/48x48/apps/earmark.png",
        "icons/hicolor/256x256/apps/earmark.png",
    }
    written = {str(Path(p).relative_to(data)) for p in report["files"]}
    assert expected <= written
    assert all((data / p).is_file() for p in written)
    assert report["warnings"] == []  # the cache tools ran and took the files
    assert report["default_for"] == [] and not (xdg["config"] / "mimeapps.list").exists()

    installed = data / "applications" / "earmark.desktop"
    done = subprocess.run([tool("desktop-file-validate"), str(installed)], capture_output=True)
    assert done.returncode == 0, done.stdout.decode()
    command = entry_values(installed.read_text(encoding="utf-8"))["Exec"]
    assert command.endswith(" %F") and Path(command.split()[0]).is_absolute()

    # The caches the tools keep: the desktop's MIME list and the MIME database.
    if shutil.which("update-desktop-database"):
        cache = (data / "applications" / "mimeinfo.cache").read_text(encoding="utf-8")
        assert "audio/mpeg=earmark.desktop;" in cache
    if shutil.which("update-mime-database"):
        types = (data / "mime" / "types").read_text(encoding="utf-8").split()
        assert "application/x-earmark-transcript" in types

    report = run_cli(["desktop", "uninstall"], capsys)
    assert set(report["removed"]) == {str(data / p) for p in written}
    assert snapshot(xdg["root"]) == before  # caches and folders it made are gone too

    assert run_cli(["desktop", "uninstall"], capsys)["installed"] is False


def test_default_makes_earmark_open_audio_and_uninstall_puts_back_the_old_ones(xdg, capsys) -> None:
    # A user's existing set-up: another player, its defaults and other sections.
    applications = xdg["data"] / "applications"
    applications.mkdir(parents=True)
    (applications / "player.desktop").write_text(
        "[Desktop Entry]\nType=Application\nName=Player\nExec=player %f\n"
        "MimeType=audio/mpeg;video/mp4;\n",
        encoding="utf-8",
    )
    if shutil.which("update-desktop-database"):
        subprocess.run(["update-desktop-database", str(applications)], check=True)
    xdg["config"].mkdir()
    mimeapps = xdg["config"] / "mimeapps.list"
    mimeapps.write_text(
        "[Added Associations]\naudio/mpeg=player.desktop;\n\n"
        "[Default Applications]\naudio/mpeg=player.desktop\nimage/png=viewer.desktop\n",
        encoding="utf-8",
    )
    assert query_default("audio/mpeg") == "player.desktop"
    before = snapshot(xdg["root"])

    report = run_cli(["desktop", "install", "--default"], capsys)
    assert "audio/mpeg" in report["default_for"] and "text/vtt" in report["default_for"]
    assert query_default("audio/mpeg") == "earmark.desktop"
    assert query_default("text/vtt") == "earmark.desktop"
    assert query_default("application/x-subrip") == "earmark.desktop"
    assert "image/png=viewer.desktop" in mimeapps.read_text(encoding="utf-8")  # not ours

    # Installing again replaces the first install; the old default is still remembered.
    run_cli(["desktop", "install", "--default"], capsys)
    report = run_cli(["desktop", "uninstall"], capsys)
    assert "audio/mpeg" in report["restored_defaults"]
    assert query_default("audio/mpeg") == "player.desktop"
    assert snapshot(xdg["root"]) == before


def test_a_default_the_user_changed_since_is_left_alone(xdg, capsys) -> None:
    run_cli(["desktop", "install", "--default"], capsys)
    mimeapps = xdg["config"] / "mimeapps.list"
    text = mimeapps.read_text(encoding="utf-8")
    mimeapps.write_text(text.replace("audio/flac=earmark.desktop", "audio/flac=other.desktop"))
    run_cli(["desktop", "uninstall"], capsys)
    assert mimeapps.read_text(encoding="utf-8").splitlines() == [
        "[Default Applications]",
        "audio/flac=other.desktop",
    ]


def test_exec_quoting_follows_the_desktop_entry_spec() -> None:
    assert desktop_cmd.exec_quote("/opt/earmark/earmark") == "/opt/earmark/earmark"
    assert desktop_cmd.exec_quote("/home/a b/earmark") == '"/home/a b/earmark"'
    assert desktop_cmd.exec_quote('/x/"$y"') == '"/x/\\\\"\\\\$y\\\\""'
    assert desktop_cmd.exec_quote("/x/100%") == "/x/100%%"
    entry = desktop_cmd.desktop_entry(
        "[Desktop Entry]\nExec=earmark %F\n[Desktop Action new-window]\nExec=earmark --new-window",
        ["/home/a b/.venv/bin/earmark"],
    )
    assert 'Exec="/home/a b/.venv/bin/earmark" %F' in entry
    assert 'Exec="/home/a b/.venv/bin/earmark" --new-window' in entry


def test_desktop_is_a_command() -> None:
    assert "desktop" in command_names()


EXTENSIONS = ("mp3", "m4a", "aac", "ogg", "opus", "flac", "wav", "mp4", "mkv", "webm", "srt", "vtt")


def test_macos_and_windows_declare_the_same_files() -> None:
    """Not buildable here, but they must parse and cover the same extensions."""
    import plistlib

    plist = plistlib.loads((ROOT / "packaging" / "macos" / "Info.plist").read_bytes())
    handled = {t for d in plist["CFBundleDocumentTypes"] for t in d["LSItemContentTypes"]}
    imported = {d["UTTypeIdentifier"]: d for d in plist["UTImportedTypeDeclarations"]}
    system = {  # the UTIs macOS declares itself, by extension
        "mp3": "public.mp3",
        "m4a": "public.mpeg-4-audio",
        "aac": "public.aac-audio",
        "wav": "com.microsoft.waveform-audio",
        "mp4": "public.mpeg-4",
    }
    for extension in EXTENSIONS:
        utis = {
            u
            for u, d in imported.items()
            if extension in d["UTTypeTagSpecification"]["public.filename-extension"]
        }
        if extension in system:
            utis.add(system[extension])
        assert utis & handled, f"macOS: .{extension} is not a document type"

    script = (ROOT / "packaging" / "windows" / "earmark.iss").read_text(encoding="utf-8")
    for extension in EXTENSIONS:
        assert f"Software\\Classes\\.{extension}\\OpenWithProgids" in script
