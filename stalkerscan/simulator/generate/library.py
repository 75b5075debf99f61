"""Background apps that make a simulated phone look lived-in.

System packages are the real AOSP/Google/vendor package names (public build facts, no personal
data). User apps are a few well-known store apps by package name only, then fictional apps
("Brightleaf Notes") built from word lists. Everything is deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# (package, folder, partition, launcher activity or "", shared user or "")
# partition: system | priv | product | system_ext | vendor
_CORE: tuple[tuple[str, str, str, str, str], ...] = (
    ("android", "framework-res", "framework", "", "android.uid.system"),
    ("com.android.settings", "Settings", "priv", ".Settings", "android.uid.system"),
    ("com.android.systemui", "SystemUI", "system_ext", "", ""),
    ("com.android.phone", "TeleService", "priv", "", "android.uid.phone"),
    ("com.android.providers.telephony", "TelephonyProvider", "priv", "", "android.uid.phone"),
    ("com.android.providers.settings", "SettingsProvider", "priv", "", "android.uid.system"),
    ("com.android.providers.contacts", "ContactsProvider", "priv", "", ""),
    ("com.android.providers.calendar", "CalendarProvider", "priv", "", ""),
    ("com.android.providers.media", "MediaProvider", "priv", "", ""),
    ("com.android.providers.downloads", "DownloadProvider", "priv", "", ""),
    ("com.android.providers.downloads.ui", "DownloadProviderUi", "system", "", ""),
    ("com.android.providers.userdictionary", "UserDictionaryProvider", "system", "", ""),
    ("com.android.providers.blockednumber", "BlockedNumberProvider", "priv", "", ""),
    ("com.android.providers.partnerbookmarks", "PartnerBookmarksProvider", "system", "", ""),
    ("com.android.server.telecom", "Telecom", "priv", "", "android.uid.system"),
    ("com.android.shell", "Shell", "priv", "", "android.uid.shell"),
    ("com.android.bluetooth", "Bluetooth", "system", "", "android.uid.bluetooth"),
    ("com.android.nfc", "NfcNci", "system", "", "android.uid.nfc"),
    ("com.android.keychain", "KeyChain", "system", "", "android.uid.system"),
    ("com.android.location.fused", "FusedLocation", "priv", "", "android.uid.system"),
    ("com.android.inputdevices", "InputDevices", "priv", "", "android.uid.system"),
    ("com.android.externalstorage", "ExternalStorageProvider", "priv", "", ""),
    ("com.android.documentsui", "DocumentsUI", "priv", "", ""),
    ("com.android.mtp", "MtpService", "priv", "", ""),
    ("com.android.printspooler", "PrintSpooler", "system", "", ""),
    ("com.android.bips", "BuiltInPrintService", "system", "", ""),
    ("com.android.certinstaller", "CertInstaller", "system", "", ""),
    ("com.android.carrierconfig", "CarrierConfig", "priv", "", ""),
    ("com.android.carrierdefaultapp", "CarrierDefaultApp", "system", "", ""),
    ("com.android.cellbroadcastreceiver", "CellBroadcastReceiver", "priv", "", ""),
    ("com.android.emergency", "EmergencyInfo", "priv", "", ""),
    ("com.android.wallpaperbackup", "WallpaperBackup", "priv", "", "android.uid.system"),
    ("com.android.wallpaper.livepicker", "LiveWallpapersPicker", "system", "", ""),
    ("com.android.backupconfirm", "BackupRestoreConfirmation", "priv", "", ""),
    ("com.android.sharedstoragebackup", "SharedStorageBackup", "priv", "", ""),
    ("com.android.localtransport", "LocalTransport", "priv", "", "android.uid.system"),
    ("com.android.vpndialogs", "VpnDialogs", "priv", "", ""),
    ("com.android.statementservice", "StatementService", "priv", "", ""),
    ("com.android.proxyhandler", "ProxyHandler", "priv", "", ""),
    ("com.android.pacprocessor", "PacProcessor", "system", "", ""),
    ("com.android.captiveportallogin", "CaptivePortalLogin", "system", "", ""),
    ("com.android.storagemanager", "StorageManager", "priv", "", ""),
    ("com.android.dynsystem", "DynamicSystemInstallationService", "priv", "", ""),
    ("com.android.simappdialog", "SimAppDialog", "system", "", ""),
    ("com.android.companiondevicemanager", "CompanionDeviceManager", "priv", "", ""),
    ("com.android.bluetoothmidiservice", "BluetoothMidiService", "system", "", ""),
    ("com.android.traceur", "Traceur", "priv", "", ""),
    ("com.android.htmlviewer", "HTMLViewer", "system", "", ""),
    ("com.android.cts.priv.ctsshim", "CtsShimPrivPrebuilt", "priv", "", ""),
    ("com.android.cts.ctsshim", "CtsShimPrebuilt", "system", "", ""),
    ("com.android.se", "SecureElement", "system", "", ""),
    ("com.android.stk", "Stk", "system", "", "android.uid.phone"),
    ("com.android.musicfx", "MusicFX", "priv", "", ""),
    ("com.android.soundpicker", "SoundPicker", "system", "", ""),
    ("com.android.managedprovisioning", "ManagedProvisioning", "priv", "", ""),
    ("com.android.calllogbackup", "CallLogBackup", "priv", "", ""),
    ("com.android.ons", "ONS", "priv", "", ""),
    ("com.android.smspush", "WAPPushManager", "system", "", ""),
    ("com.android.bookmarkprovider", "BookmarkProvider", "system", "", ""),
    ("com.android.egg", "EasterEgg", "system", "", ""),
    ("com.android.wallpapercropper", "WallpaperCropper", "system", "", ""),
    ("com.android.networkstack.tethering", "TetheringGoogle", "priv", "", ""),
    ("com.android.permissioncontroller", "GooglePermissionController", "priv", "", ""),
    ("com.android.webview", "WebViewGoogle", "product", "", ""),
)
_GOOGLE: tuple[tuple[str, str, str, str, str], ...] = (
    ("com.google.android.gms", "PrebuiltGmsCore", "priv", "", ""),
    ("com.google.android.gsf", "GoogleServicesFramework", "priv", "", ""),
    ("com.android.vending", "Phonesky", "priv", "com.android.vending.AssetBrowserActivity", ""),
    ("com.google.android.packageinstaller", "GooglePackageInstaller", "priv", "", ""),
    (
        "com.google.android.permissioncontroller",
        "GooglePermissionControllerPrebuilt",
        "priv",
        "",
        "",
    ),
    (
        "com.google.android.apps.messaging",
        "PrebuiltBugle",
        "product",
        "com.google.android.apps.messaging.ui.ConversationListActivity",
        "",
    ),
    (
        "com.google.android.dialer",
        "GoogleDialer",
        "product",
        "com.google.android.dialer.extensions.GoogleDialtactsActivity",
        "",
    ),
    (
        "com.google.android.contacts",
        "GoogleContacts",
        "product",
        "com.android.contacts.activities.PeopleActivity",
        "",
    ),
    (
        "com.google.android.apps.photos",
        "Photos",
        "product",
        "com.google.android.apps.photos.home.HomeActivity",
        "",
    ),
    ("com.google.android.apps.maps", "Maps", "product", "com.google.android.maps.MapsActivity", ""),
    (
        "com.google.android.youtube",
        "YouTube",
        "product",
        "com.google.android.youtube.app.honeycomb.Shell$HomeActivity",
        "",
    ),
    (
        "com.google.android.gm",
        "PrebuiltGmail",
        "product",
        "com.google.android.gm.ConversationListActivityGmail",
        "",
    ),
    (
        "com.google.android.calendar",
        "CalendarGooglePrebuilt",
        "product",
        "com.android.calendar.AllInOneActivity",
        "",
    ),
    (
        "com.google.android.deskclock",
        "PrebuiltDeskClockGoogle",
        "product",
        "com.android.deskclock.DeskClock",
        "",
    ),
    (
        "com.google.android.calculator",
        "CalculatorGooglePrebuilt",
        "product",
        "com.android.calculator2.Calculator",
        "",
    ),
    (
        "com.google.android.GoogleCamera",
        "GoogleCamera",
        "product",
        "com.android.camera.CameraLauncher",
        "",
    ),
    ("com.android.chrome", "Chrome", "product", "com.google.android.apps.chrome.Main", ""),
    (
        "com.google.android.googlequicksearchbox",
        "Velvet",
        "priv",
        "com.google.android.googlequicksearchbox.SearchActivity",
        "",
    ),
    ("com.google.android.apps.nexuslauncher", "NexusLauncherRelease", "system_ext", "", ""),
    ("com.google.android.inputmethod.latin", "LatinIMEGooglePrebuilt", "product", "", ""),
    ("com.google.android.marvin.talkback", "talkback", "product", "", ""),
    (
        "com.google.android.apps.docs",
        "Drive",
        "product",
        "com.google.android.apps.docs.app.NewMainProxyActivity",
        "",
    ),
    (
        "com.google.android.apps.tachyon",
        "GoogleMeet",
        "product",
        "com.google.android.apps.tachyon.MainActivity",
        "",
    ),
    ("com.google.android.apps.wellbeing", "WellbeingPrebuilt", "priv", "", ""),
    ("com.google.android.apps.safetyhub", "SafetyHubPrebuilt", "priv", "", ""),
    ("com.google.android.apps.restore", "PixelMigrate", "system_ext", "", ""),
    ("com.google.android.apps.turbo", "Turbo", "priv", "", ""),
    ("com.google.android.apps.wallpaper", "WallpaperPickerGoogleRelease", "product", "", ""),
    ("com.google.android.apps.work.oobconfig", "WorkProfileOobConfig", "priv", "", ""),
    ("com.google.android.as", "DevicePersonalizationPrebuiltPixel", "priv", "", ""),
    ("com.google.android.as.oss", "PrivateComputeServices", "priv", "", ""),
    ("com.google.android.ext.services", "GoogleExtServices", "priv", "", ""),
    ("com.google.android.ext.shared", "GoogleExtShared", "system", "", ""),
    ("com.google.android.feedback", "GoogleFeedback", "priv", "", ""),
    ("com.google.android.gms.location.history", "LocationHistoryPrebuilt", "product", "", ""),
    ("com.google.android.onetimeinitializer", "GoogleOneTimeInitializer", "priv", "", ""),
    ("com.google.android.partnersetup", "GooglePartnerSetup", "priv", "", ""),
    ("com.google.android.setupwizard", "SetupWizardPrebuilt", "system_ext", "", ""),
    ("com.google.android.syncadapters.contacts", "GoogleContactsSyncAdapter", "system", "", ""),
    ("com.google.android.syncadapters.calendar", "GoogleCalendarSyncAdapter", "system", "", ""),
    ("com.google.android.tts", "GoogleTTS", "product", "", ""),
    ("com.google.android.apps.carrier.carrierwifi", "CarrierWifi", "priv", "", ""),
    ("com.google.android.apps.pixel.support", "PixelSupport", "product", "", ""),
    (
        "com.google.android.apps.recorder",
        "RecorderPrebuilt",
        "product",
        "com.google.android.apps.recorder.ui.MainActivity",
        "",
    ),
    (
        "com.google.android.apps.youtube.music",
        "YouTubeMusicPrebuilt",
        "product",
        "com.google.android.apps.youtube.music.activities.MusicActivity",
        "",
    ),
    (
        "com.google.android.apps.walletnfcrel",
        "Wallet",
        "product",
        "com.google.commerce.tapandpay.android.wallet.WalletActivity",
        "",
    ),
    (
        "com.google.android.keep",
        "PrebuiltKeep",
        "product",
        "com.google.android.keep.activities.BrowseActivity",
        "",
    ),
    (
        "com.google.android.apps.kids.familylinkhelper",
        "FamilyLinkParentalControls",
        "product",
        "",
        "",
    ),
    ("com.google.android.apps.work.clouddpc", "DevicePolicyPrebuilt", "priv", "", ""),
    ("com.google.android.projection.gearhead", "AndroidAutoStubPrebuilt", "product", "", ""),
    ("com.google.android.documentsui", "DocumentsUIGoogle", "priv", "", ""),
    ("com.google.android.networkstack", "NetworkStackGoogle", "priv", "", ""),
    ("com.google.android.modulemetadata", "ModuleMetadataGoogle", "system", "", ""),
    ("com.google.android.captiveportallogin", "CaptivePortalLoginGoogle", "system", "", ""),
    ("com.google.android.cellbroadcastreceiver", "GoogleCellBroadcastApp", "priv", "", ""),
    (
        "com.google.android.overlay.modules.ext.services",
        "GoogleExtServicesConfigOverlay",
        "product",
        "",
        "",
    ),
    ("com.google.android.configupdater", "ConfigUpdater", "priv", "", ""),
    (
        "com.google.android.printservice.recommendation",
        "PrintRecommendationService",
        "system",
        "",
        "",
    ),
    ("com.google.android.soundpicker", "SoundPickerPrebuilt", "product", "", ""),
    (
        "com.google.android.settings.intelligence",
        "SettingsIntelligenceGooglePrebuilt",
        "priv",
        "",
        "",
    ),
    ("com.google.android.apps.gcs", "GCS", "priv", "", ""),
    ("com.google.android.hotspot2.osulogin", "OsuLoginGoogle", "system", "", ""),
    ("com.google.android.adservices.api", "AdServicesApk", "priv", "", ""),
    (
        "com.google.android.healthconnect.controller",
        "HealthConnectControllerGoogle",
        "priv",
        "",
        "",
    ),
)
_VENDOR_APPS: dict[str, tuple[str, ...]] = {
    "aosp": (
        "com.android.inputmethod.latin",
        "com.android.launcher3",
        "com.android.messaging",
        "com.android.dialer",
        "com.android.contacts",
        "com.android.camera2",
        "com.android.gallery3d",
        "com.android.calendar",
        "com.android.deskclock",
        "com.android.packageinstaller",
        "com.android.quicksearchbox",
        "com.android.music",
        "org.chromium.webview_shell",
    ),
    "samsung": (
        "com.samsung.android.app.spage",
        "com.samsung.android.bixby.agent",
        "com.samsung.android.messaging",
        "com.samsung.android.dialer",
        "com.samsung.android.contacts",
        "com.sec.android.app.launcher",
        "com.sec.android.app.samsungapps",
        "com.sec.android.app.sbrowser",
        "com.samsung.android.honeyboard",
        "com.samsung.android.app.notes",
        "com.samsung.android.calendar",
        "com.sec.android.gallery3d",
        "com.sec.android.app.camera",
        "com.sec.android.app.myfiles",
        "com.samsung.android.lool",
        "com.samsung.android.sm.devicesecurity",
        "com.samsung.android.knox.containercore",
        "com.samsung.knox.securefolder",
        "com.samsung.android.mobileservice",
        "com.samsung.android.scloud",
        "com.samsung.android.fmm",
        "com.samsung.android.kidsinstaller",
        "com.samsung.android.game.gamehome",
        "com.samsung.android.app.tips",
        "com.samsung.android.themestore",
        "com.samsung.android.smartswitchassistant",
        "com.sec.android.easyMover",
        "com.samsung.android.oneconnect",
        "com.samsung.android.app.routines",
        "com.samsung.android.aremoji",
        "com.samsung.android.privacydashboard",
        "com.samsung.android.dqagent",
        "com.samsung.android.wellbeing",
        "com.samsung.android.app.clipboardedge",
        "com.samsung.android.app.reminder",
        "com.sec.android.app.clockpackage",
        "com.sec.android.app.popupcalculator",
        "com.samsung.android.app.sharelive",
        "com.samsung.android.accessibility.talkback",
        "com.samsung.android.service.peoplestripe",
    ),
    "xiaomi": (
        "com.miui.home",
        "com.miui.securitycenter",
        "com.miui.guardprovider",
        "com.miui.packageinstaller",
        "com.xiaomi.mipicks",
        "com.miui.gallery",
        "com.miui.notes",
        "com.miui.weather2",
        "com.miui.calculator",
        "com.miui.compass",
        "com.miui.cleaner",
        "com.miui.analytics",
        "com.miui.msa.global",
        "com.miui.powerkeeper",
        "com.miui.daemon",
        "com.miui.cloudservice",
        "com.miui.cloudbackup",
        "com.xiaomi.account",
        "com.xiaomi.finddevice",
        "com.miui.screenrecorder",
        "com.miui.videoplayer",
        "com.miui.player",
        "com.mi.globalbrowser",
        "com.xiaomi.discover",
        "com.miui.miservice",
        "com.xiaomi.scanner",
        "com.miui.securityadd",
        "com.miui.systemAdSolution",
        "com.xiaomi.joyose",
        "com.miui.thirdappassistant",
        "com.android.thememanager",
        "com.miui.bugreport",
        "com.miui.fm",
        "com.xiaomi.glgm",
    ),
    "huawei": (
        "com.android.mms",
        "com.android.contacts",
        "com.android.packageinstaller",
        "com.huawei.android.launcher",
        "com.huawei.appmarket",
        "com.huawei.hwid",
        "com.huawei.systemmanager",
        "com.huawei.browser",
        "com.huawei.himovie.overseas",
        "com.huawei.music",
        "com.huawei.photos",
        "com.huawei.camera",
        "com.huawei.android.thememanager",
        "com.huawei.hidisk",
        "com.huawei.phoneservice",
        "com.huawei.health",
        "com.huawei.parentcontrol",
        "com.huawei.securitymgr",
        "com.huawei.android.hwouc",
        "com.huawei.android.pushagent",
        "com.huawei.hiview",
        "com.huawei.lbs",
        "com.huawei.trustspace",
        "com.huawei.android.findmyphone",
        "com.huawei.screenrecorder",
        "com.huawei.calculator",
        "com.huawei.android.totemweather",
        "com.huawei.android.FMRadio",
        "com.huawei.wallet",
        "com.baidu.input_huawei",
        "com.huawei.hicloud",
        "com.huawei.android.tips",
        "com.huawei.scanner",
    ),
    "oppo": (
        "com.android.mms",
        "com.android.contacts",
        "com.android.packageinstaller",
        "com.android.launcher",
        "com.heytap.market",
        "com.coloros.safecenter",
        "com.coloros.gallery3d",
        "com.coloros.calculator",
        "com.coloros.weather2",
        "com.coloros.filemanager",
        "com.coloros.phonemanager",
        "com.coloros.notes",
        "com.heytap.browser",
        "com.heytap.cloud",
        "com.oplus.securitypermission",
        "com.coloros.findmyphone",
        "com.oplus.athena",
        "com.coloros.childrenspace",
        "com.oplus.games",
        "com.heytap.themestore",
        "com.coloros.soundrecorder",
        "com.oplus.camera",
        "com.coloros.backuprestore",
        "com.oplus.battery",
    ),
    "vivo": (
        "com.android.mms",
        "com.android.dialer",
        "com.android.packageinstaller",
        "com.bbk.launcher2",
        "com.bbk.appstore",
        "com.vivo.browser",
        "com.iqoo.secure",
        "com.vivo.gallery",
        "com.android.bbkcalculator",
        "com.vivo.weather",
        "com.android.filemanager",
        "com.android.notes",
        "com.vivo.findphone",
        "com.vivo.abe",
        "com.vivo.assistant",
        "com.bbk.cloud",
        "com.bbk.theme",
        "com.vivo.easyshare",
        "com.vivo.space",
        "com.vivo.pem",
        "com.vivo.daemonService",
        "com.vivo.vivokidsmode",
        "com.vivo.smartmultiwindow",
        "com.bbk.account",
    ),
}
# Real store apps, by package name only (the apps themselves are not part of the fixtures).
_WELL_KNOWN: tuple[tuple[str, str], ...] = (
    ("com.whatsapp", "com.whatsapp.Main"),
    ("org.telegram.messenger", "org.telegram.ui.LaunchActivity"),
    ("org.thoughtcrime.securesms", "org.thoughtcrime.securesms.RoutingActivity"),
    ("com.spotify.music", "com.spotify.music.MainActivity"),
    ("com.instagram.android", "com.instagram.mainactivity.LauncherActivity"),
    ("com.facebook.katana", "com.facebook.katana.LoginActivity"),
    ("com.microsoft.teams", "com.microsoft.skype.teams.Launcher"),
    ("com.zhiliaoapp.musically", "com.ss.android.ugc.aweme.splash.SplashActivity"),
    ("com.duolingo", "com.duolingo.app.LoginActivity"),
    ("com.ubercab", "com.ubercab.presidio.app.core.root.RootActivity"),
    ("com.netflix.mediaclient", "com.netflix.mediaclient.ui.launch.UIWebViewActivity"),
    ("de.db.bahn.navigator", "de.hafas.main.HafasApp"),
    ("com.booking", "com.booking.startup.HomeActivity"),
    ("com.shazam.android", "com.shazam.android.activities.MainActivity"),
)
_W1 = (
    "bright",
    "blue",
    "swift",
    "quiet",
    "green",
    "sun",
    "moon",
    "river",
    "stone",
    "maple",
    "cedar",
    "amber",
    "coral",
    "pixel",
    "cloud",
    "north",
    "silver",
    "happy",
    "clever",
    "tiny",
    "lumen",
    "orbit",
    "pine",
    "harbor",
    "fox",
    "owl",
    "tide",
    "ember",
    "nova",
    "echo",
)
_W2 = (
    "leaf",
    "path",
    "works",
    "labs",
    "soft",
    "apps",
    "byte",
    "craft",
    "forge",
    "field",
    "wave",
    "spark",
    "nest",
    "point",
    "line",
    "stack",
    "loop",
    "gate",
    "mint",
    "peak",
)
_W3 = (
    "notes",
    "weather",
    "recipes",
    "fitness",
    "budget",
    "scanner",
    "reader",
    "podcasts",
    "tasks",
    "calendar",
    "puzzle",
    "chess",
    "solitaire",
    "translate",
    "transit",
    "radio",
    "flashlight",
    "gallery",
    "editor",
    "wallet",
    "habits",
    "sleep",
    "yoga",
    "running",
    "maps",
    "tickets",
    "shop",
    "bank",
    "news",
    "journal",
    "timer",
    "music",
    "books",
    "cards",
)
_OVERLAYS = (
    "com.android.theme.color.{x}",
    "com.android.theme.icon.{x}",
    "com.android.theme.font.{x}",
    "com.android.internal.systemui.navbar.{x}",
    "com.google.android.overlay.{x}config",
    "com.android.theme.icon_pack.{x}.android",
    "com.android.theme.icon_pack.{x}.systemui",
    "com.android.theme.icon_pack.{x}.settings",
    "com.android.internal.display.cutout.emulation.{x}",
)
_OVERLAY_WORDS = (
    "black",
    "green",
    "purple",
    "cinnamon",
    "ocean",
    "space",
    "orchid",
    "rounded",
    "squircle",
    "teardrop",
    "pebble",
    "vessel",
    "circular",
    "filled",
    "rounded",
    "gestural",
    "threebutton",
    "twobutton",
    "corner",
    "double",
    "tall",
    "hole",
    "waterfall",
    "pixel",
    "modules",
    "gmsconfig",
    "settings",
    "telephony",
    "wifi",
    "networkstack",
    "permission",
    "tethering",
    "cellbroadcast",
)


@dataclass
class BackgroundApp:
    """One filler package before it becomes part of a Phone."""

    package: str
    label: str
    partition: str  # "data" for user apps
    folder: str = ""
    launcher: str = ""
    shared_user: str = ""
    installer: str | None = None
    splits: list[str] = field(default_factory=list)
    permissions: list[str] = field(default_factory=list)
    overlay: bool = False


_USER_PERMS = (
    "android.permission.INTERNET",
    "android.permission.ACCESS_NETWORK_STATE",
    "android.permission.WAKE_LOCK",
    "android.permission.POST_NOTIFICATIONS",
    "android.permission.VIBRATE",
    "android.permission.FOREGROUND_SERVICE",
    "android.permission.CAMERA",
    "android.permission.ACCESS_COARSE_LOCATION",
    "android.permission.READ_CONTACTS",
    "android.permission.RECORD_AUDIO",
    "android.permission.READ_MEDIA_IMAGES",
    "android.permission.ACCESS_FINE_LOCATION",
    "com.google.android.c2dm.permission.RECEIVE",
)
_SPLITS = ("config.arm64_v8a", "config.xxhdpi", "config.en", "config.de", "config.fr")


def _label(folder: str) -> str:
    return folder.replace("Prebuilt", "").replace("Google", "") or folder


def system_apps(vendor: str) -> list[BackgroundApp]:
    """The named system packages of a vendor build (AOSP core, Google apps, vendor apps)."""
    out: list[BackgroundApp] = []
    google = vendor != "aosp" and vendor != "huawei"  # Huawei (2019+) ships without GMS
    for pkg, folder, part, launcher, shared in _CORE + (_GOOGLE if google else ()):
        out.append(BackgroundApp(pkg, _label(folder), part, folder, launcher, shared))
    for pkg in _VENDOR_APPS.get(vendor, ()):
        folder = "".join(w.capitalize() for w in pkg.split(".")[-1:]) or pkg
        launch = (
            f"{pkg}.MainActivity"
            if any(
                w in pkg
                for w in (
                    "gallery",
                    "notes",
                    "calculator",
                    "browser",
                    "camera",
                    "weather",
                    "market",
                    "appstore",
                    "samsungapps",
                    "mipicks",
                    "myfiles",
                    "filemanager",
                    "music",
                    "messaging",
                    "dialer",
                    "contacts",
                )
            )
            else ""
        )
        out.append(
            BackgroundApp(pkg, folder, "priv" if "secur" in pkg else "system", folder, launch)
        )
    return out


def overlay_apps(n: int, rng: random.Random) -> list[BackgroundApp]:
    """`n` resource-overlay/system filler packages (what pads a real phone to ~300)."""
    out: list[BackgroundApp] = []
    seen: set[str] = set()
    i = 0
    while len(out) < n:
        tmpl = _OVERLAYS[i % len(_OVERLAYS)]
        word = _OVERLAY_WORDS[(i // len(_OVERLAYS)) % len(_OVERLAY_WORDS)]
        pkg = tmpl.format(x=word)
        if i >= len(_OVERLAYS) * len(_OVERLAY_WORDS):
            pkg = f"{pkg}{i // (len(_OVERLAYS) * len(_OVERLAY_WORDS))}"
        i += 1
        if pkg in seen:
            continue
        seen.add(pkg)
        folder = "".join(p.capitalize() for p in pkg.split(".")[-2:]) + "Overlay"
        out.append(BackgroundApp(pkg, folder, "product", folder, "", "", overlay=True))
    return out


def user_apps(n: int, rng: random.Random, split_fraction: float) -> list[BackgroundApp]:
    """`n` store apps: the well-known ones first, then fictional ones; each from a store."""
    out: list[BackgroundApp] = []
    seen: set[str] = set()
    for pkg, act in _WELL_KNOWN[: min(n, len(_WELL_KNOWN))]:
        out.append(BackgroundApp(pkg, pkg.split(".")[1].capitalize(), "data", "", act))
        seen.add(pkg)
    attempt = 0
    while len(out) < n:
        attempt += 1
        a, b, c = rng.choice(_W1), rng.choice(_W2), rng.choice(_W3)
        pkg = f"com.{a}{b}.{c}" if attempt < 20000 else f"com.{a}{b}.{c}{attempt}"
        if pkg in seen:
            continue
        seen.add(pkg)
        label = f"{a.capitalize()}{b} {c.capitalize()}"
        out.append(BackgroundApp(pkg, label, "data", "", f"{pkg}.MainActivity"))
    for app in out:
        app.installer = "com.android.vending"
        k = rng.randint(3, 9)
        app.permissions = sorted(rng.sample(_USER_PERMS, k))
        if rng.random() < split_fraction:
            app.splits = list(_SPLITS[: rng.randint(2, 4)])
    return out
