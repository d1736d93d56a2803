"""The toolbar's profile box: switch the named set of instruction, voice, model, tools, source
and frame rate the next session is made with. It lists what the app model read (built-ins
first, then the user's), and says when a profile file is broken (file and line, in the
tooltip); the others are listed all the same."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from liveview.core.app_model import AppModel, ProfilesChanged
from liveview.core.profiles import Profile, ProfileSet

NO_PROFILE = "No profile"
_WARNING_STYLE = "color:#e67e22; font-weight:bold"


def profile_tooltip(profile: Profile) -> str:
    parts = [profile.description] if profile.description else []
    if profile.system_instruction:
        parts.append(f"Instruction: {profile.system_instruction}")
    for label, value in (("Voice", profile.voice), ("Model", profile.model),
                         ("Source", profile.source)):  # fmt: skip
        if value:
            parts.append(f"{label}: {value}")
    return "\n".join(parts)


class QtProfileBox(QWidget):
    """Emits `profile_chosen(name)` ("" for none) when the user switches."""

    profile_chosen = Signal(str)

    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profile_box")
        self.model = model
        self.label = QLabel("Profile", self)
        self.combo = QComboBox(self)
        self.combo.setObjectName("profile")
        self.combo.setMinimumContentsLength(18)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setToolTip("What the next session is made for (Settings › Profiles)")
        self.problems = QLabel(self)
        self.problems.setObjectName("profile_problems")
        self.problems.setStyleSheet(_WARNING_STYLE)
        self.problems.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.combo)
        layout.addWidget(self.problems)
        self.set_profiles(model.profiles)
        self.combo.currentIndexChanged.connect(self._on_index)
        model.bus.on(ProfilesChanged, self._on_profiles)

    def _on_profiles(self, event: ProfilesChanged) -> None:
        self.set_profiles(event.profiles)

    def set_profiles(self, profiles: ProfileSet) -> None:
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(NO_PROFILE, "")
        for profile in profiles.profiles:
            self.combo.addItem(profile.name, profile.name)
            tip = profile_tooltip(profile)
            self.combo.setItemData(self.combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        chosen = profiles.get(self.model.prefs.profile) if self.model.prefs.profile else None
        self.combo.setCurrentIndex(self.combo.findData(chosen.name) if chosen else 0)
        self.combo.blockSignals(False)
        count = len(profiles.problems)
        self.problems.setVisible(bool(count))
        self.problems.setText(f"⚠ {count} broken profile file{'s' if count != 1 else ''}")
        self.problems.setToolTip(
            "Not loaded (the other profiles are):\n" + "\n".join(str(p) for p in profiles.problems)
        )

    def names(self) -> list[str]:
        return [self.combo.itemText(i) for i in range(self.combo.count())]

    def choose(self, name: str) -> None:
        """As the user would: pick `name` ("" for none) in the box."""
        self.combo.setCurrentIndex(max(0, self.combo.findData(name)))

    def _on_index(self, index: int) -> None:
        name = str(self.combo.itemData(index) or "")
        self.model.set_profile(name)
        self.profile_chosen.emit(name)
