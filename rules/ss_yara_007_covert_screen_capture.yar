// stalkerscan project rule. Matches DEX code, not the APK.
rule SS_YARA_007_covert_screen_capture
{
    meta:
        id = "SS-YARA-007"
        description = "Takes screenshots on a timer through MediaProjection"
        severity = "medium"
        author = "stalkerscan project"
        reference = "https://developer.android.com/reference/android/media/projection/MediaProjection"
        scope = "dex"
    strings:
        $proj = "Landroid/media/projection/MediaProjection;"
        $vd = "createVirtualDisplay"
        $img = "acquireLatestImage"
        $shot = "screenshot" nocase
        $timer1 = "scheduleAtFixedRate"
        $timer2 = "scheduleWithFixedDelay"
    condition:
        uint32(0) == 0x0a786564 and $proj and $vd and $img and $shot and any of ($timer*)
}
