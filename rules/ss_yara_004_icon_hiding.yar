// stalkerscan project rule. Matches DEX code, not the APK.
rule SS_YARA_004_icon_hiding
{
    meta:
        id = "SS-YARA-004"
        description = "Disables its own launcher component to hide the app icon after set-up"
        severity = "medium"
        author = "stalkerscan project"
        reference = "https://developer.android.com/reference/android/content/pm/PackageManager#setComponentEnabledSetting(android.content.ComponentName,%20int,%20int)"
        scope = "dex"
    strings:
        $set = "setComponentEnabledSetting"
        $state = "COMPONENT_ENABLED_STATE_DISABLED"
        $launcher = "android.intent.category.LAUNCHER"
        $h1 = "hide_icon" nocase
        $h2 = "hideicon" nocase
        $h3 = "hideappicon" nocase
        $h4 = "hide_app_icon" nocase
        $h5 = "hidelauncher" nocase
    condition:
        uint32(0) == 0x0a786564 and $set and ($state or $launcher) and any of ($h*)
}
