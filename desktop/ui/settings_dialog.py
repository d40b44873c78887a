"""Kept so `from desktop.ui.settings_dialog import SettingsDialog` still works: see ui/settings/."""

from desktop.ui.settings.dialog import SettingsDialog as SettingsDialog
