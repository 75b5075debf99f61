"""Constants and small helpers shared by the simulated phone's tests."""

from __future__ import annotations

from pathlib import Path

MINIMAL = Path(__file__).resolve().parents[2] / "fixtures" / "profiles" / "minimal"
NOTES_APK = "/data/app/~~Zm9vYmFy==/org.example.notes-QmFzZTY0==/base.apk"
WEATHER_APK = "/data/app/~~YmF6cXV4==/org.example.weather-V2VhdGhlcg==/base.apk"
BIG_APK = "/data/app/~~big==/org.example.big-Qg==/base.apk"
BIG_SIZE = 20 * 1024 * 1024
